// Package metrics reads the job figures of the ledger in the Prometheus text
// format: the server's /metrics scrapes them, and each job run from cron writes them
// to a node_exporter textfile (short-lived processes cannot be scraped).
package metrics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"settle/ledger"
	"settle/ledger/ingest"
)

var (
	lastSuccess = prometheus.NewDesc("settle_job_last_success_timestamp_seconds",
		"When the job last finished without failure (succeeded or partial), Unix seconds.", []string{"job"}, nil)
	duration = prometheus.NewDesc("settle_job_duration_seconds",
		"How long the job's last finished run took.", []string{"job"}, nil)
	lastFailed = prometheus.NewDesc("settle_job_last_run_failed",
		"1 when the job's last finished run failed or was interrupted, else 0.", []string{"job"}, nil)
	units = prometheus.NewDesc("settle_job_units_total",
		"Units the job's runs accounted for, by outcome (posted, exception, duplicate, rejected), over every run journaled.", []string{"job", "outcome"}, nil)
	exceptionsOpen = prometheus.NewDesc("settle_exceptions_open",
		"Open exceptions, by partner and reason.", []string{"partner", "reason"}, nil)
	drift = prometheus.NewDesc("settle_safeguarding_drift_cents",
		"The latest safeguarding drift of each partner, in cents (0: customer money covered exactly).", []string{"partner"}, nil)
	findings = prometheus.NewDesc("settle_reconciliation_findings",
		"Unmatched items of each partner's latest day of reconciliation.", []string{"partner"}, nil)
)

// Prometheus samples are float64 by definition. The only amount here, the
// safeguarding drift, is exported in integer cents (exact below 2^53 cents, which the
// ledger's balances never pass), never as a decimal amount.

// Collector reads the job figures from the store at each collection.
type Collector struct {
	Store *ledger.Store
}

// Describe implements prometheus.Collector.
func (c Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{lastSuccess, duration, lastFailed, units, exceptionsOpen, drift, findings} {
		ch <- d
	}
}

// Collect implements prometheus.Collector; a figure that cannot be read is reported
// as an invalid metric, which fails the scrape loudly.
func (c Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, read := range []func(context.Context, chan<- prometheus.Metric) error{c.runs, c.exceptions, c.safeguarding, c.findings} {
		if err := read(ctx, ch); err != nil {
			ch <- prometheus.NewInvalidMetric(prometheus.NewDesc("settle_metrics_error", "a figure could not be read", nil, nil), err)
		}
	}
}

func (c Collector) runs(ctx context.Context, ch chan<- prometheus.Metric) error {
	var rows []struct {
		Job      string  `db:"job"`
		Status   string  `db:"status"`
		Started  string  `db:"started_at"`
		Finished *string `db:"finished_at"`
		Summary  string  `db:"summary"`
	}
	if err := c.Store.R.SelectContext(ctx, &rows, `SELECT job, status, started_at, finished_at, summary FROM job_runs
		WHERE NOT dry_run AND status <> 'running' ORDER BY id`); err != nil {
		return err
	}
	type last struct {
		success *time.Time
		took    float64 // seconds, not money
		failed  bool
	}
	lasts := map[string]*last{}
	totals := map[[2]string]float64{}
	for _, r := range rows {
		l := lasts[r.Job]
		if l == nil {
			l = &last{}
			lasts[r.Job] = l
		}
		started, _ := time.Parse(time.RFC3339Nano, r.Started)
		var finished time.Time
		if r.Finished != nil {
			finished, _ = time.Parse(time.RFC3339Nano, *r.Finished)
		}
		l.took = finished.Sub(started).Seconds()
		l.failed = r.Status == "failed" || r.Status == "interrupted"
		if !l.failed && r.Finished != nil {
			l.success = &finished
		}
		var sum struct {
			Counts   map[string]int64 `json:"counts"`
			Rejected int64            `json:"rejected"`
		}
		if json.Unmarshal([]byte(r.Summary), &sum) == nil {
			for _, o := range []string{ingest.OutcomePosted, ingest.OutcomeException, ingest.OutcomeDuplicate} {
				totals[[2]string{r.Job, o}] += float64(sum.Counts[o])
			}
			totals[[2]string{r.Job, "rejected"}] += float64(sum.Rejected)
		}
	}
	for job, l := range lasts {
		if l.success != nil {
			ch <- prometheus.MustNewConstMetric(lastSuccess, prometheus.GaugeValue, float64(l.success.UnixMilli())/1000, job)
		}
		ch <- prometheus.MustNewConstMetric(duration, prometheus.GaugeValue, max(l.took, 0), job)
		ch <- prometheus.MustNewConstMetric(lastFailed, prometheus.GaugeValue, b2f(l.failed), job)
	}
	for k, v := range totals {
		ch <- prometheus.MustNewConstMetric(units, prometheus.CounterValue, v, k[0], k[1])
	}
	return nil
}

func (c Collector) exceptions(ctx context.Context, ch chan<- prometheus.Metric) error {
	var rows []struct {
		Partner *string `db:"partner_key"`
		Reason  string  `db:"reason"`
		N       int64   `db:"n"`
	}
	if err := c.Store.R.SelectContext(ctx, &rows, `SELECT partner_key, reason, COUNT(*) AS n FROM exceptions
		WHERE status = 'open' GROUP BY partner_key, reason`); err != nil {
		return err
	}
	for _, r := range rows {
		p := ""
		if r.Partner != nil {
			p = *r.Partner
		}
		ch <- prometheus.MustNewConstMetric(exceptionsOpen, prometheus.GaugeValue, float64(r.N), p, r.Reason)
	}
	return nil
}

func (c Collector) safeguarding(ctx context.Context, ch chan<- prometheus.Metric) error {
	var rows []struct {
		Partner string `db:"partner_key"`
		Drift   int64  `db:"drift_cents"`
	}
	if err := c.Store.R.SelectContext(ctx, &rows, `SELECT s.partner_key, s.drift_cents FROM safeguarding s
		WHERE s.day = (SELECT MAX(day) FROM safeguarding x WHERE x.partner_key = s.partner_key)`); err != nil {
		return err
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(drift, prometheus.GaugeValue, float64(r.Drift), r.Partner)
	}
	return nil
}

func (c Collector) findings(ctx context.Context, ch chan<- prometheus.Metric) error {
	var rows []struct {
		Partner string `db:"partner_key"`
		N       int64  `db:"n"`
	}
	err := c.Store.R.SelectContext(ctx, &rows, `SELECT r.partner_key, COALESCE(SUM(r.unmatched_bank + r.unmatched_ledger + r.amount_differences), 0) AS n
		FROM reconciliations r WHERE r.day = (SELECT MAX(day) FROM reconciliations x WHERE x.partner_key = r.partner_key)
		GROUP BY r.partner_key`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(findings, prometheus.GaugeValue, float64(r.N), r.Partner)
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// WriteTextfile writes the job figures to path for node_exporter's textfile
// collector, atomically (a temporary file renamed into place).
func WriteTextfile(path string, s *ledger.Store) error {
	reg := prometheus.NewRegistry()
	if err := reg.Register(Collector{Store: s}); err != nil {
		return err
	}
	return prometheus.WriteToTextfile(path, reg)
}
