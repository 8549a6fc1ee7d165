package payments

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"settle"

	"settle/ledger"
	"settle/sepa"
)

// MakeSCTBatches turns withdrawals, redemptions and approved refunds into pain.001
// files: one file per debtor account (partner) per run, split past MaxTxs or
// MaxAmountCents, one block per execution date. A wallet's payout is debited from
// its withdrawable bucket into payout_clearing when its batch is made; one whose
// money is no longer there is cancelled with INSUFFICIENT_FUNDS. Running again
// finds nothing new.
func MakeSCTBatches(ctx context.Context, s *ledger.Store, opt BatchOptions) (*BatchRun, error) {
	opt.defaults(true)
	if opt.Message != sepa.Pain001v09 && opt.Message != sepa.Pain001v03 {
		return nil, settle.FieldError("message", "%q is not %s or %s", opt.Message, sepa.Pain001v09, sepa.Pain001v03)
	}
	if err := recoverOutbox(ctx, s, opt.Outbox); err != nil {
		return nil, err
	}
	if !opt.DryRun {
		if err := s.Write(ctx, func(w *ledger.Writer) error { return queueRefunds(w, opt.Today) }); err != nil {
			return nil, err
		}
	}
	var partners []string
	if err := s.R.SelectContext(ctx, &partners, `SELECT DISTINCT partner_key FROM credit_transfers
		WHERE status = 'Created' AND requested_date <= ? ORDER BY partner_key`, opt.Today); err != nil {
		return nil, err
	}
	run := &BatchRun{}
	for _, p := range partners {
		for {
			more, err := makeSCTFile(ctx, s, p, opt, run)
			if err != nil {
				return run, err
			}
			if !more || opt.DryRun {
				break
			}
		}
	}
	return run, nil
}

// queueRefunds makes a credit transfer of every pending refund request (their
// money is in payout_clearing already).
func queueRefunds(w *ledger.Writer, day settle.Day) error {
	next, err := ledger.NextID(w, "credit_transfers")
	if err != nil {
		return err
	}
	if _, err := w.Exec(`INSERT INTO credit_transfers (id, request_id, kind, partner_key, refund_request_id, creditor_name,
		creditor_iban, amount_cents, remittance, requested_date, end_to_end_id, status, transaction_id, created_at, updated_at)
		SELECT ? + ROW_NUMBER() OVER (ORDER BY r.id) - 1, 'refund:' || r.id || ':' || r.transaction_id, 'Refund', r.partner_key, r.id, r.name, r.iban,
			r.amount_cents, 'Rimborso bonifico non accreditabile ' || r.exception_id, ?,
			'STL-CT-' || (? + ROW_NUMBER() OVER (ORDER BY r.id) - 1), 'Created', r.transaction_id, ?, ?
		FROM refund_requests r WHERE r.status = 'pending' ORDER BY r.id`, next, day, next, w.NowText(), w.NowText()); err != nil {
		return err
	}
	_, err = w.Exec(`UPDATE refund_requests SET status = 'batched' WHERE status = 'pending'`)
	return err
}

type sctCandidate struct {
	ID       int64      `db:"id"`
	Kind     string     `db:"kind"`
	WalletID *string    `db:"wallet_id"`
	Cents    int64      `db:"amount_cents"`
	Asked    settle.Day `db:"requested_date"`
}

// makeSCTFile makes one file of a partner's due credit transfers in one
// transaction; it tells whether there may be more.
func makeSCTFile(ctx context.Context, s *ledger.Store, partner string, opt BatchOptions, run *BatchRun) (bool, error) {
	var out *outFile
	var bf BatchFile
	var candidates int
	var part BatchRun // counted into run once committed
	err := s.Write(ctx, func(w *ledger.Writer) error {
		out, part = nil, BatchRun{}
		p, err := ledger.PartnerByKey(w, partner)
		if err != nil {
			return err
		}
		var cs []sctCandidate
		if err := w.Select(&cs, `SELECT id, kind, wallet_id, amount_cents, requested_date FROM credit_transfers
			WHERE partner_key = ? AND status = 'Created' AND requested_date <= ? ORDER BY id LIMIT ?`, partner, opt.Today, opt.MaxTxs); err != nil {
			return err
		}
		candidates = len(cs)
		if candidates == 0 {
			return nil
		}
		id, err := ledger.NextID(w, "batches")
		if err != nil {
			return err
		}
		msgID := fmt.Sprintf("STL-SCT-%s-%d", opt.Today.Compact(), id)
		exec := opt.Today.AddTARGET2(0)
		if _, err := w.Exec(`INSERT INTO batches (id, kind, msg_id, partner_key, account_iban, message, file_name, sha256,
			nb_of_txs, ctrl_sum_cents, status, created_at) VALUES (?, 'sct', ?, ?, ?, ?, ?, '', 0, 0, 'Batched', ?)`,
			id, msgID, partner, p.SettlementIBAN, opt.Message, msgID+".xml", w.NowText()); err != nil {
			return err
		}
		var count int
		var cents int64
		for _, c := range cs {
			if opt.MaxAmountCents > 0 && count > 0 && cents+c.Cents > opt.MaxAmountCents {
				break
			}
			ok, err := debitPayout(w, partner, c, id, opt.Today)
			if err != nil {
				return err
			}
			if !ok {
				part.Cancelled++
				continue
			}
			count, cents = count+1, cents+c.Cents
			date := settle.MaxDay(exec, c.Asked.AddTARGET2(0))
			if _, err := w.Exec(`UPDATE credit_transfers SET status = 'Batched', batch_id = ?, execution_date = ?, pmt_inf_id = ?,
				updated_at = ? WHERE id = ?`, id, date, msgID+"-D"+date.Compact(), w.NowText(), c.ID); err != nil {
				return err
			}
		}
		part.Txs, part.Total = count, settle.MoneyFromCents(cents)
		if opt.DryRun {
			bf = BatchFile{MsgID: msgID, PartnerKey: partner, NbOfTxs: count, CtrlSum: settle.MoneyFromCents(cents)}
			return errDryRun
		}
		if count == 0 {
			_, err := w.Exec(`DELETE FROM batches WHERE id = ?`, id)
			return err // all cancelled for want of money: no file
		}
		blocks, err := recordBlocks(w, "credit_transfers", id)
		if err != nil {
			return err
		}
		if out, err = createOutFile(opt.Outbox, msgID+".xml"); err != nil {
			return err
		}
		if err := writeSCT(w, out, p, blocks, id, msgID, count, cents, opt); err != nil {
			return fmt.Errorf("batch %s: %w", msgID, err)
		}
		bf = BatchFile{MsgID: msgID, PartnerKey: partner, Path: filepath.Join(opt.Outbox, msgID+".xml"), NbOfTxs: count, CtrlSum: settle.MoneyFromCents(cents)}
		if bf.SHA256, err = out.finish(); err != nil {
			return err
		}
		if _, err := w.Exec(`UPDATE batches SET sha256 = ?, nb_of_txs = ?, ctrl_sum_cents = ? WHERE id = ?`, bf.SHA256, count, cents, id); err != nil {
			return err
		}
		if opt.FailAfterWrite != nil {
			return opt.FailAfterWrite(false)
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		run.add(part)
		return false, nil
	}
	var files []*outFile
	if out != nil {
		files = []*outFile{out}
	}
	if err == nil {
		run.add(part) // committed, even if a rename below fails (the next run finishes it)
	}
	if err := afterCommit(err, files, opt); err != nil {
		return false, err
	}
	if out == nil {
		return candidates > 0, nil // all cancelled for want of money: maybe more to do
	}
	run.Files = append(run.Files, bf)
	return true, nil
}

// debitPayout takes a wallet's payout into payout_clearing, or cancels it when the
// wallet no longer holds the money. Refunds are in payout_clearing already.
func debitPayout(w *ledger.Writer, partner string, c sctCandidate, batchID int64, day settle.Day) (bool, error) {
	if c.WalletID == nil {
		return true, nil
	}
	acct, err := ledger.AccountID(w, ledger.WalletAccountCode(*c.WalletID, ledger.BucketWithdrawable))
	if err != nil {
		return false, err
	}
	bal, err := w.Balance(acct)
	if err != nil {
		return false, err
	}
	if -bal < c.Cents {
		_, err := w.Exec(`UPDATE credit_transfers SET status = 'Cancelled', reason_code = 'INSUFFICIENT_FUNDS', updated_at = ? WHERE id = ?`,
			w.NowText(), c.ID)
		return false, err
	}
	txID, err := PostPayout(w, partner, *c.WalletID, c.Cents, fmt.Sprintf("payout:%d:%d", c.ID, batchID), c.Kind, day,
		c.Kind+" to the wallet's IBAN", false)
	if err != nil {
		return false, err
	}
	_, err = w.Exec(`UPDATE credit_transfers SET transaction_id = ? WHERE id = ?`, txID, c.ID)
	return true, err
}

func writeSCT(w *ledger.Writer, out *outFile, p *ledger.Partner, blocks []block, batchID int64, msgID string, count int, cents int64, opt BatchOptions) error {
	pw, err := sepa.NewPainWriter(out, opt.Message, sepa.GroupHeader{MsgID: msgID, Created: opt.Created, NbOfTxs: count,
		CtrlSum: ledger.FromCents(cents), InitiatingBy: p.Name})
	if err != nil {
		return err
	}
	rows, err := w.Queryx(`SELECT pmt_inf_id, end_to_end_id, amount_cents, creditor_name, creditor_iban,
		COALESCE(creditor_bic, '') AS creditor_bic, remittance FROM credit_transfers WHERE batch_id = ? ORDER BY pmt_inf_id, id`, batchID)
	if err != nil {
		return err
	}
	defer rows.Close()
	bi := -1
	for rows.Next() {
		var r struct {
			PmtInfID   string `db:"pmt_inf_id"`
			EndToEndID string `db:"end_to_end_id"`
			Cents      int64  `db:"amount_cents"`
			Name       string `db:"creditor_name"`
			IBAN       string `db:"creditor_iban"`
			BIC        string `db:"creditor_bic"`
			Remittance string `db:"remittance"`
		}
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if bi < 0 || blocks[bi].PmtInfID != r.PmtInfID {
			bi++
			b := blocks[bi]
			if err := pw.Block(sepa.Block{PmtInfID: b.PmtInfID, Date: b.Date, BatchBooking: opt.BatchBooking, NbOfTxs: b.N,
				CtrlSum: ledger.FromCents(b.Cents), Name: p.Name, IBAN: p.SettlementIBAN, BIC: ledger.Deref(p.SettlementBIC)}); err != nil {
				return err
			}
		}
		if err := pw.Payment(sepa.Payment{EndToEndID: r.EndToEndID, Amount: ledger.FromCents(r.Cents), Name: r.Name, IBAN: r.IBAN,
			BIC: r.BIC, Remittance: r.Remittance}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return pw.Close()
}
