package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/integration"
)

// summaryInfo is the content of the start-up summary of `ditstar run`.
type summaryInfo struct {
	itype  *dit.IntegrationType
	party  string
	ledger string
	// serverURL is http://host:port; webhooks live under
	// serverURL/integration/instanceID.
	serverURL  string
	instanceID string
	status     integration.Status
	webhooks   []integration.Webhook
}

// printSummary prints one block naming the integration type, party, ledger,
// status URL and every registered handler with its webhook URL or template.
func printSummary(w io.Writer, s summaryInfo) {
	fmt.Fprintf(w, "ditstar: integration %s (%s) is running\n", s.itype.ID, s.itype.Name)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  party\t%s\n", s.party)
	fmt.Fprintf(tw, "  ledger\t%s\n", s.ledger)
	fmt.Fprintf(tw, "  status\t%s/status\n", s.serverURL)
	handlers := len(s.webhooks) + len(s.status.LedgerEvents) + len(s.status.Timers) + len(s.status.Queues)
	fmt.Fprintf(tw, "  handlers\t%d\n", handlers)
	for _, h := range s.webhooks {
		fmt.Fprintf(tw, "    webhook\t%s %s/integration/%s%s\t%s\t%s\n", h.Method, s.serverURL, s.instanceID, h.Suffix, h.Auth, h.Label)
	}
	for _, h := range s.status.LedgerEvents {
		template := h.TemplateID
		if template == "" {
			template = "-"
		}
		fmt.Fprintf(tw, "    ledger\t%s\t%s\n", h.Label, template)
	}
	for _, h := range s.status.Timers {
		fmt.Fprintf(tw, "    timer\t%s\n", h.Label)
	}
	for _, h := range s.status.Queues {
		fmt.Fprintf(tw, "    queue\t%s\n", h.Label)
	}
	tw.Flush()
}
