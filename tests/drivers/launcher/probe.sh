#!/bin/sh
# probe.sh PROG - a script test: runs PROG's cage probe.
exec "$1" pass
