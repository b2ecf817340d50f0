#!/usr/bin/perl
# check_tap.pl FILE - reads the reporter's sample TAP with TAP::Parser (what
# prove uses) and checks the test points and their YAML diagnostics.
use strict;
use warnings;
use TAP::Parser;

local $SIG{__WARN__} = sub { die "warning while parsing: $_[0]" };
open my $fh, '<:raw', $ARGV[0] or die "$ARGV[0]: $!";
my $tap = do { local $/; <$fh> };
my $parser = TAP::Parser->new({ tap => $tap });
my (%yaml, $last, @tests);
while (my $r = $parser->next) {
    if ($r->is_test) { $last = $r->number; push @tests, $r; }
    elsif ($r->is_yaml) { $yaml{$last} = $r->data; }
}
my @errors = $parser->parse_errors;
die "parse errors: @errors\n" if @errors;
die "expected 9 tests, got " . scalar(@tests) . "\n" unless @tests == 9;
die "plan\n" unless $parser->plan eq '1..9';
die "skip directive\n" unless $tests[2]->has_skip && $tests[2]->explanation eq 'no network';
die "escaped name\n" unless $tests[8]->description =~ /^- unit\/na"sty <&> \\#1/;

my $fail = $yaml{2} or die "no YAML for test 2\n";
die "message\n" unless $fail->{message} eq 'expected 1 == 2';
die "status\n" unless $fail->{status} eq 'fail';
die "failures\n" unless $fail->{failures}[0]{file} eq 'math.c' && $fail->{failures}[0]{line} == 12;
die "output\n" unless $fail->{output} eq "hello\nworld\n";
die "debug output\n" unless $yaml{4}{debug_output} eq "Thread 1 (LWP 2):\n#0  nanosleep ()\n";
die "kept dir\n" unless $yaml{2}{kept_dir} eq '/var/tmp/kept/fail.1';
die "crash signal\n" unless $yaml{5}{signal} eq 'SIGSEGV';
die "listed output\n" unless join("\n", @{ $yaml{5}{output} }) eq "  indented first line\nthen\r";
die "leaks\n" unless $yaml{7}{leaks}[0] eq 'leaked process sleep (pid 5): sleep 1000';
die "leak count\n" unless @{ $yaml{7}{leaks} } == 11;
my $big = $yaml{9}{output};
die "1 MB output lost\n" unless ref $big eq 'ARRAY' && length(join "\n", @$big) > 1000000;
print "TAP::Parser read 9 tests and their diagnostics\n";
