// Package jobs holds settle's jobs, the job runner (lease, journal, dry-run) and the
// cron scheduler.
package jobs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"settle/ledger"
	"settle/reports"
	"slices"
	"strings"
	"time"
)

// Config is settle's configuration, read from the JSON file of --config. Every
// setting has a default; the README lists them all.
type Config struct {
	// TimeZone decides what "a day" means for date-based jobs and the scheduler.
	TimeZone string `json:"timeZone"`
	// ChunkSize is how many rows or entries a job commits per transaction.
	ChunkSize int `json:"chunkSize"`
	// LeaseTTL is how long a job's lease lasts without renewal; a crashed holder's
	// lease is taken over once it has expired.
	LeaseTTL Duration `json:"leaseTtl"`
	// Schedules maps "nightly" or a job name to a cron spec (5 fields) for `settle schedule`.
	Schedules map[string]string `json:"schedules"`
	// AutoRefundReasons lists the exception reasons the ingest refunds at once (none
	// by default: unidentified money is a compliance matter).
	AutoRefundReasons []string `json:"autoRefundReasons"`
	// MaxFileBytes is the largest inbox file the ingest reads.
	MaxFileBytes int64 `json:"maxFileBytes"`
	// SDD configures the direct debit batches (pain.008), SCT the payouts (pain.001).
	SDD BatchConfig `json:"sdd"`
	SCT BatchConfig `json:"sct"`
	// ReleaseDays is how many TARGET2 business days after its booking a collection's
	// money moves from restricted to withdrawable.
	ReleaseDays int `json:"releaseDays"`
	// Reconcile tunes the statement reconciliation's last rule (amount and value date).
	Reconcile ReconcileConfig `json:"reconcile"`
	// FeePayouts says when dealers' and stores' earned fee shares are paid.
	FeePayouts FeePayoutConfig `json:"feePayouts"`
	// CatchUpDays is how many missed nightly days one run catches up at most (after
	// an outage); the rest wait for the next run, which is told so.
	CatchUpDays int `json:"catchUpDays"`
	// MetricsFile, when set, is rewritten after every run with the job figures in the
	// Prometheus text format, for node_exporter's textfile collector (--metrics-file).
	MetricsFile string `json:"metricsFile"`
	// Alerts are the webhooks told of failed runs, rejected files, findings,
	// shortfalls, old exceptions and rejected batches.
	Alerts AlertsConfig `json:"alerts"`
	// CSV is how the report CSV files are written for the spreadsheets that open them.
	CSV CSVConfig `json:"csv"`
	// Batches.Approval asks for a person to approve each batch (settle batches
	// approve) before it can be marked sent.
	Batches BatchesConfig `json:"batches"`
}

// BatchesConfig is the release of the outgoing batches.
type BatchesConfig struct {
	Approval bool `json:"approval"`
}

// CSVConfig is the format of the report CSV files; the defaults (no BOM, ",", ".")
// are what programs read. For Excel on Windows set excel; in a locale with a decimal
// comma (Italian, German, French) set separator ";" and decimalComma too.
type CSVConfig struct {
	Excel        bool   `json:"excel"`        // start each file with a UTF-8 BOM
	Separator    string `json:"separator"`    // "," (default), ";" or "\t"
	DecimalComma bool   `json:"decimalComma"` // amounts as 12,30
}

// Format is the reports' CSV format the configuration asks for.
func (c CSVConfig) Format() reports.Format {
	f := reports.Format{Excel: c.Excel, DecimalComma: c.DecimalComma}
	if r := []rune(c.Separator); len(r) == 1 {
		f.Separator = r[0]
	}
	return f
}

// ReconcileConfig is the tolerance of the last matching rule.
type ReconcileConfig struct {
	ToleranceAmount string `json:"toleranceAmount"` // a decimal: amounts this close pair (default "0.00")
	ToleranceDays   int    `json:"toleranceDays"`   // value dates this many days apart pair (default 2)
}

// FeePayoutConfig is the fee payout cycle.
type FeePayoutConfig struct {
	// Cycle is "monthly" (on the 1st, the month before), "weekly" (on Mondays, the
	// week before), "daily", or "off".
	Cycle string `json:"cycle"`
	// MinAmount (a decimal) is the smallest payout made; less waits for the next cycle.
	MinAmount string `json:"minAmount"`
	// Netting sets a store's earned fees against the cash it owes the partner first;
	// only the rest is paid.
	Netting bool `json:"netting"`
}

// BatchConfig configures one kind of outgoing batch.
type BatchConfig struct {
	// Message is the pain version written: pain.008.001.08 or pain.008.001.02;
	// pain.001.001.09 or pain.001.001.03.
	Message string `json:"message"`
	// LeadDays (SDD) is how many TARGET2 business days after the batch day the
	// earliest collection date falls.
	LeadDays int `json:"leadDays"`
	// MaxTransactions and MaxAmount (a decimal, "" for no bound) split a batch into
	// several files.
	MaxTransactions int    `json:"maxTransactions"`
	MaxAmount       string `json:"maxAmount"`
	// BatchBooking asks the bank to book each block as one entry (BtchBookg).
	BatchBooking bool `json:"batchBooking"`
}

// maxAmountCents is MaxAmount in cents, 0 for no bound.
func (b BatchConfig) maxAmountCents() (int64, error) {
	if b.MaxAmount == "" {
		return 0, nil
	}
	return ledger.ParseAmount(b.MaxAmount)
}

// DefaultConfig returns the configuration used when no file is given.
func DefaultConfig() Config {
	return Config{
		TimeZone:     "Europe/Rome",
		ChunkSize:    5000,
		LeaseTTL:     Duration(2 * time.Minute),
		Schedules:    map[string]string{"nightly": "0 2 * * *"},
		MaxFileBytes: 2 << 30,
		SDD:          BatchConfig{Message: "pain.008.001.08", LeadDays: 1, MaxTransactions: 100_000, BatchBooking: true},
		SCT:          BatchConfig{Message: "pain.001.001.09", MaxTransactions: 100_000}, // payouts booked one by one
		ReleaseDays:  5,
		Reconcile:    ReconcileConfig{ToleranceAmount: "0.00", ToleranceDays: 2},
		FeePayouts:   FeePayoutConfig{Cycle: "monthly", MinAmount: "1.00"},
		CatchUpDays:  7,
	}
}

// LoadConfig reads path over the defaults. An empty path gives the defaults.
// Unknown keys are errors, so that a misspelt setting is not silently ignored.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	if path == "" {
		return cfg, cfg.validate()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

func (c Config) validate() error {
	for _, w := range c.Alerts.Webhooks {
		if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
			return fmt.Errorf("alerts: webhook url %q is not an http(s) URL", w.URL)
		}
		if w.Secret == "" {
			return fmt.Errorf("alerts: webhook %s has no secret to sign with", w.URL)
		}
		for _, e := range w.Events {
			if !slices.Contains(AlertTypes, e) {
				return fmt.Errorf("alerts: event %q is not one of %s", e, strings.Join(AlertTypes, ", "))
			}
		}
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("timeZone %q: %w", c.TimeZone, err)
	}
	if c.ChunkSize < 1 {
		return fmt.Errorf("chunkSize must be at least 1, got %d", c.ChunkSize)
	}
	if c.MaxFileBytes < 1 {
		return fmt.Errorf("maxFileBytes must be positive, got %d", c.MaxFileBytes)
	}
	if tol, err := ledger.ParseAmount(c.Reconcile.ToleranceAmount); err != nil || tol < 0 || c.Reconcile.ToleranceDays < 0 {
		return fmt.Errorf("reconcile: toleranceAmount %q and toleranceDays %d must be ≥ 0", c.Reconcile.ToleranceAmount, c.Reconcile.ToleranceDays)
	}
	switch c.FeePayouts.Cycle {
	case "monthly", "weekly", "daily", "off":
	default:
		return fmt.Errorf("feePayouts.cycle %q is not monthly, weekly, daily or off", c.FeePayouts.Cycle)
	}
	if m, err := ledger.ParseAmount(c.FeePayouts.MinAmount); err != nil || m < 0 {
		return fmt.Errorf("feePayouts.minAmount %q is not an amount", c.FeePayouts.MinAmount)
	}
	for name, b := range map[string]BatchConfig{"sdd": c.SDD, "sct": c.SCT} {
		if c, err := b.maxAmountCents(); err != nil || c < 0 {
			return fmt.Errorf("%s.maxAmount %q is not an amount", name, b.MaxAmount)
		}
		if b.MaxTransactions < 1 || b.LeadDays < 0 {
			return fmt.Errorf("%s: maxTransactions must be at least 1 and leadDays not negative", name)
		}
	}
	if len([]rune(c.CSV.Separator)) > 1 {
		return fmt.Errorf("csv.separator %q must be one character", c.CSV.Separator)
	}
	if err := c.CSV.Format().Check(); err != nil {
		return err
	}
	if c.CatchUpDays < 1 {
		return fmt.Errorf("catchUpDays must be at least 1, got %d", c.CatchUpDays)
	}
	if c.ReleaseDays < 0 {
		return fmt.Errorf("releaseDays must not be negative, got %d", c.ReleaseDays)
	}
	if time.Duration(c.LeaseTTL) < time.Second {
		return fmt.Errorf("leaseTtl must be at least 1s, got %s", time.Duration(c.LeaseTTL))
	}
	return nil
}

// Location returns the configured time zone.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC // validate refused it already; UTC keeps a zero Config usable
	}
	return loc
}

// Duration is a time.Duration written in JSON as a string such as "2m".
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "90s" or "2m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"2m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
