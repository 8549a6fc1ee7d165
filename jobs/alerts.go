package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"settle/ledger"
)

// Alert event types.
const (
	AlertJobFailed     = "job.failed"    // a run failed or was interrupted
	AlertJobPartial    = "job.partial"   // a run finished with input rejected or a finding to work
	AlertFileRejected  = "file.rejected" // an inbox file was moved to rejected/
	AlertFinding       = "reconciliation.finding"
	AlertShortfall     = "safeguarding.shortfall"
	AlertExceptionAged = "exception.aged" // an exception open for more than exceptionAgeDays
	AlertBatchRejected = "batch.rejected" // the bank rejected a batch or some of its transactions
)

// AlertTypes lists every event type, for the config's check.
var AlertTypes = []string{AlertJobFailed, AlertJobPartial, AlertFileRejected, AlertFinding, AlertShortfall, AlertExceptionAged, AlertBatchRejected}

// WebhookConfig is one receiver of alerts: a URL, the secret the POSTs are signed
// with, and the event types it wants (all when empty).
type WebhookConfig struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

// AlertsConfig configures the alerts.
type AlertsConfig struct {
	Webhooks         []WebhookConfig `json:"webhooks"`
	ExceptionAgeDays int             `json:"exceptionAgeDays"` // an exception older than this is told once (default 7)
	Attempts         int             `json:"attempts"`         // tries per delivery and run (default 3)
	Backoff          Duration        `json:"backoff"`          // the wait before the second try, doubled after (default 1s)
}

func (c AlertsConfig) wants(w WebhookConfig, typ string) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, typ)
}

// Alert is one event as sent: the JSON body of the POST.
type Alert struct {
	EventID   string          `json:"eventId"`
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"data"`
	CreatedAt string          `json:"createdAt"`
}

// raise journals an event once (its event id is its key) with a delivery row for
// each webhook that wants it. It writes nothing when no webhook is configured.
func raise(ctx context.Context, s *ledger.Store, cfg AlertsConfig, eventID, typ string, data any) error {
	var urls []string
	for _, w := range cfg.Webhooks {
		if cfg.wants(w, typ) {
			urls = append(urls, w.URL)
		}
	}
	if len(urls) == 0 {
		return nil
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.WriteTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO alerts (event_id, type, payload, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (event_id) DO NOTHING RETURNING id`, eventID, typ, string(payload), s.NowText())
		if err != nil {
			return ignoreNoRows(err) // raised before
		}
		for _, u := range urls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alert_deliveries (alert_id, url) VALUES (?, ?)`, id, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// raiseFromState journals the events read from the ledger's state after a run:
// exceptions open too long, batches the bank rejected (in whole or in part).
func raiseFromState(ctx context.Context, s *ledger.Store, cfg AlertsConfig) error {
	if len(cfg.Webhooks) == 0 {
		return nil
	}
	age := cfg.ExceptionAgeDays
	if age <= 0 {
		age = 7
	}
	var old []struct {
		ID      int64   `db:"id"`
		Reason  string  `db:"reason"`
		Partner *string `db:"partner_key"`
		Created string  `db:"created_at"`
	}
	cut := s.Now().AddDate(0, 0, -age).Format(time.RFC3339)
	if err := s.R.SelectContext(ctx, &old, `SELECT id, reason, partner_key, created_at FROM exceptions e
		WHERE status = 'open' AND created_at < ? AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.event_id = ? || e.id)
		ORDER BY id LIMIT 1000`, cut, AlertExceptionAged+":"); err != nil {
		return err
	}
	for _, e := range old {
		if err := raise(ctx, s, cfg, fmt.Sprintf("%s:%d", AlertExceptionAged, e.ID), AlertExceptionAged,
			map[string]any{"exceptionId": e.ID, "reason": e.Reason, "partnerKey": e.Partner, "openSince": e.Created, "days": age}); err != nil {
			return err
		}
	}
	var rejected []struct {
		MsgID    string `db:"msg_id"`
		Partner  string `db:"partner_key"`
		Status   string `db:"status"`
		Rejected int64  `db:"rejected_txs"`
		Txs      int64  `db:"nb_of_txs"`
	}
	if err := s.R.SelectContext(ctx, &rejected, `SELECT msg_id, partner_key, status, rejected_txs, nb_of_txs FROM batches
		WHERE status = 'Rejected' OR rejected_txs > 0 ORDER BY id`); err != nil {
		return err
	}
	for _, b := range rejected {
		if err := raise(ctx, s, cfg, fmt.Sprintf("%s:%s:%s:%d", AlertBatchRejected, b.MsgID, b.Status, b.Rejected), AlertBatchRejected,
			map[string]any{"msgId": b.MsgID, "partnerKey": b.Partner, "status": b.Status, "rejectedTxs": b.Rejected, "nbOfTxs": b.Txs}); err != nil {
			return err
		}
	}
	return nil
}

// SignatureHeader carries a delivery's signature: t=UNIX SECONDS,v1=hex(HMAC-SHA256(
// secret, "t." + body)). The receiver recomputes it and refuses an old t.
const SignatureHeader = "Settle-Signature"

// SignAlert is the value of SignatureHeader for body sent at t.
func SignAlert(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// deliver sends every undelivered alert to its webhook, each with up to Attempts
// tries and a doubling backoff, and journals each try. A receiver that fails every
// try of one alert is not tried again in this run (a thousand alerts to a receiver
// that is down must not hold the night for a thousand backoffs). What is still
// undelivered stays for the next run. It returns how many it delivered and how many are left.
func deliver(ctx context.Context, s *ledger.Store, cfg AlertsConfig, client *http.Client) (sent, left int, err error) {
	if len(cfg.Webhooks) == 0 {
		return 0, 0, nil
	}
	var pending []struct {
		ID        int64  `db:"id"`
		EventID   string `db:"event_id"`
		Type      string `db:"type"`
		Payload   string `db:"payload"`
		CreatedAt string `db:"created_at"`
		URL       string `db:"url"`
	}
	if err := s.R.SelectContext(ctx, &pending, `SELECT a.id, a.event_id, a.type, a.payload, a.created_at, d.url FROM alert_deliveries d
		JOIN alerts a ON a.id = d.alert_id WHERE d.delivered_at IS NULL ORDER BY a.id, d.url`); err != nil {
		return 0, 0, err
	}
	attempts, backoff := cfg.Attempts, time.Duration(cfg.Backoff)
	if attempts <= 0 {
		attempts = 3
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	down := map[string]bool{} // a receiver that failed every try: not tried again this run
	for _, p := range pending {
		if down[p.URL] {
			left++
			continue
		}
		secret, ok := "", false
		for _, w := range cfg.Webhooks {
			if w.URL == p.URL {
				secret, ok = w.Secret, true
			}
		}
		if !ok {
			left++ // the webhook was removed from the config: kept, not sent
			continue
		}
		body, _ := json.Marshal(Alert{EventID: p.EventID, Type: p.Type, Payload: json.RawMessage(p.Payload), CreatedAt: p.CreatedAt})
		var lastErr error
		for try := 0; try < attempts; try++ {
			if try > 0 {
				select {
				case <-ctx.Done():
					return sent, left + 1, ctx.Err()
				case <-time.After(backoff << (try - 1)):
				}
			}
			lastErr = post(ctx, client, p.URL, secret, p.EventID, s.Now(), body)
			if err := journalTry(ctx, s, p.ID, p.URL, lastErr); err != nil {
				return sent, left, err
			}
			if lastErr == nil {
				break
			}
		}
		if lastErr == nil {
			sent++
		} else {
			left++
			down[p.URL] = true // its other alerts wait for the next run, not each for its backoff
		}
	}
	return sent, left, nil
}

func post(ctx context.Context, client *http.Client, url, secret, eventID string, now time.Time, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Settle-Event-Id", eventID)
	req.Header.Set(SignatureHeader, SignAlert(secret, now, body))
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("the receiver answered %s", res.Status)
	}
	return nil
}

func journalTry(ctx context.Context, s *ledger.Store, alertID int64, url string, failed error) error {
	return s.WriteTx(ctx, func(tx *sqlx.Tx) error {
		msg, delivered := "", any(s.NowText())
		if failed != nil {
			msg, delivered = failed.Error(), nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, last_at = ?,
			delivered_at = ? WHERE alert_id = ? AND url = ?`, msg, s.NowText(), delivered, alertID, url)
		return err
	})
}

// AlertDelivery is an alert with the state of its delivery to one webhook.
type AlertDelivery struct {
	ID          int64   `db:"id" json:"id"`
	EventID     string  `db:"event_id" json:"eventId"`
	Type        string  `db:"type" json:"type"`
	CreatedAt   string  `db:"created_at" json:"createdAt"`
	URL         string  `db:"url" json:"url"`
	Attempts    int     `db:"attempts" json:"attempts"`
	LastError   string  `db:"last_error" json:"lastError"`
	DeliveredAt *string `db:"delivered_at" json:"deliveredAt"`
}

// Alerts lists the newest alerts with their deliveries; pending only when asked.
func Alerts(ctx context.Context, s *ledger.Store, pendingOnly bool, limit int) ([]AlertDelivery, error) {
	var out []AlertDelivery
	err := s.R.SelectContext(ctx, &out, `SELECT a.id, a.event_id, a.type, a.created_at, d.url, d.attempts, d.last_error, d.delivered_at
		FROM alerts a JOIN alert_deliveries d ON d.alert_id = a.id WHERE NOT ? OR d.delivered_at IS NULL
		ORDER BY a.id DESC, d.url LIMIT ?`, pendingOnly, limit)
	return out, err
}

// ResendAlerts marks the deliveries of alert id (every alert when id is 0) to be sent
// again and sends what is pending; it returns how many were delivered and left.
func (r *Runner) ResendAlerts(ctx context.Context, id int64) (sent, left int, err error) {
	err = r.Store.WriteTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET delivered_at = NULL WHERE ? = 0 OR alert_id = ?`, id, id)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return deliver(ctx, r.Store, r.Config.Alerts, r.httpClient())
}

func (r *Runner) httpClient() *http.Client {
	if r.HTTP != nil {
		return r.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// alertAfterRun raises the run's own events and those of the ledger's state, then
// delivers what is pending. A failure here is logged: it never fails the run.
func (r *Runner) alertAfterRun(ctx context.Context, res Result) {
	cfg := r.Config.Alerts
	if len(cfg.Webhooks) == 0 || res.DryRun {
		return
	}
	var errs []error
	switch res.Status {
	case StatusFailed, StatusInterrupted:
		errs = append(errs, raise(ctx, r.Store, cfg, fmt.Sprintf("%s:%d", AlertJobFailed, res.RunID), AlertJobFailed, res))
	case StatusPartial:
		errs = append(errs, raise(ctx, r.Store, cfg, fmt.Sprintf("%s:%d", AlertJobPartial, res.RunID), AlertJobPartial, res))
	}
	errs = append(errs, raiseFromState(ctx, r.Store, cfg))
	sent, left, err := deliver(ctx, r.Store, cfg, r.httpClient())
	errs = append(errs, err)
	for _, e := range errs {
		if e != nil {
			r.Log.Error("alerts", "error", e)
		}
	}
	if left > 0 {
		r.Log.Warn("alerts not delivered; the next run sends them again", "delivered", sent, "pending", left)
	}
}

func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}
