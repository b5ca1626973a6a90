#!/usr/bin/perl
# A minimal SMSC on Net::SMPP (Debian's libnet-smpp-perl), an SMPP implementation independent of
# the one Shortroute uses: it takes one transceiver bind (system_id and password from the
# arguments), answers each submit_sm with a message id, prints it as a JSON line, and sends the
# part's delivery receipt as SMPP 3.4 Appendix B's text. The first line it prints is its port.
use strict;
use warnings;
use JSON::PP;
use Net::SMPP;

$| = 1;
my ($system_id, $password) = @ARGV;
my $listener = Net::SMPP->new_listen('127.0.0.1', port => 0, smpp_version => 0x34) or die "listen: $!";
print JSON::PP->new->canonical->encode({ port => $listener->sockport }), "\n";

my $next = 1;
while (my $esme = $listener->accept) {
    while (my $pdu = $esme->read_pdu) {
        my $cmd = $pdu->{cmd};
        if ($cmd == Net::SMPP::CMD_bind_transceiver) {
            my $ok = $pdu->{system_id} eq $system_id && $pdu->{password} eq $password;
            $esme->bind_transceiver_resp(seq => $pdu->{seq}, status => $ok ? 0 : 0x0D, system_id => 'net-smpp');
            print JSON::PP->new->canonical->encode({ bind => $pdu->{system_id}, ok => $ok ? JSON::PP::true : JSON::PP::false }), "\n";
            last unless $ok;
        } elsif ($cmd == Net::SMPP::CMD_submit_sm) {
            my $id = sprintf('perl-%d', $next++);
            $esme->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
            print JSON::PP->new->canonical->encode({
                id => $id,
                source_addr_ton => $pdu->{source_addr_ton}, source_addr_npi => $pdu->{source_addr_npi}, source_addr => $pdu->{source_addr},
                dest_addr_ton => $pdu->{dest_addr_ton}, dest_addr_npi => $pdu->{dest_addr_npi}, destination_addr => $pdu->{destination_addr},
                data_coding => $pdu->{data_coding}, esm_class => $pdu->{esm_class}, registered_delivery => $pdu->{registered_delivery},
                short_message => unpack('H*', $pdu->{short_message}),
            }), "\n";
            $esme->deliver_sm(
                async => 1,
                source_addr_ton => $pdu->{dest_addr_ton}, source_addr_npi => $pdu->{dest_addr_npi}, source_addr => $pdu->{destination_addr},
                dest_addr_ton => $pdu->{source_addr_ton}, dest_addr_npi => $pdu->{source_addr_npi}, destination_addr => $pdu->{source_addr},
                esm_class => 0x04,
                short_message => "id:$id sub:001 dlvrd:001 submit date:2611281200 done date:2611281200 stat:DELIVRD err:000 text:",
            );
        } elsif ($cmd == Net::SMPP::CMD_enquire_link) {
            $esme->enquire_link_resp(seq => $pdu->{seq});
        } elsif ($cmd == Net::SMPP::CMD_unbind) {
            $esme->unbind_resp(seq => $pdu->{seq});
            last;
        }
    }
    close $esme;
}
