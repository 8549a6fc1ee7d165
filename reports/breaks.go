package reports

import (
	"context"
	"fmt"
	"settle"

	"settle/ledger"
)

// breaksReport is the reconciliation breaks open at the end of the day (found by
// then, not resolved by then), oldest first, with their age in days. Who works a
// break is live information (settle breaks list), not a fact of the day: it is left
// out, so that the day's file never changes.
var breaksReport = Report{
	Name:  "breaks",
	About: "the reconciliation breaks open at the end of the day, oldest first, with their age in days (settle breaks works them)",
	Columns: []Column{{"breakId", Number}, {"partnerKey", Text}, {"kind", Text}, {"subject", Text}, {"bankAmount", Cents},
		{"ledgerAmount", Cents}, {"firstDay", Date}, {"ageDays", Number}, {"detail", Text}},
	each: func(ctx context.Context, s *ledger.Store, day settle.Day, _ Options, fn func([]string) error) error {
		rows, err := s.R.QueryxContext(ctx, `SELECT id, partner_key, kind, subject, bank_cents, ledger_cents, first_day,
			detail FROM breaks WHERE first_day <= ? AND (status = 'open' OR resolved_day > ?)
			ORDER BY first_day, id`, day, day)
		if err != nil {
			return fmt.Errorf("breaks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var b struct {
				ID                     int64
				Partner, Kind, Subject string
				Bank, Ledger           *int64
				First                  settle.Day
				Assignee, Detail       string
			}
			if err := rows.Scan(&b.ID, &b.Partner, &b.Kind, &b.Subject, &b.Bank, &b.Ledger, &b.First, &b.Detail); err != nil {
				return err
			}
			if err := fn([]string{fmt.Sprint(b.ID), b.Partner, b.Kind, b.Subject, optCents(b.Bank), optCents(b.Ledger),
				b.First.String(), fmt.Sprint(day.Sub(b.First)), b.Detail}); err != nil {
				return err
			}
		}
		return rows.Err()
	},
}

func optCents(c *int64) string {
	if c == nil {
		return ""
	}
	return ledger.FormatCents(*c)
}
