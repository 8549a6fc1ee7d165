package feeds

import (
	"encoding/json"
	"net/mail"
	"regexp"
	"settle"
	"strconv"
	"strings"
	"time"

	"settle/ledger"
	"settle/sepa"
)

var (
	uuidShape     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	keyShape      = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,35}$`)
	phoneShape    = regexp.MustCompile(`^\+?[0-9][0-9 .\-]{5,19}$`)
	codiceFiscale = regexp.MustCompile(`^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$`)
	foreignTaxID  = regexp.MustCompile(`^[A-Z0-9]{2,32}$`)
	refShape      = regexp.MustCompile(`^[A-Z0-9]{4,35}$`)
)

// fieldCheck accumulates the first error of a row; later checks are skipped once
// one has failed, so a row reports one clear problem.
type fieldCheck struct{ err *settle.Error }

func (c *fieldCheck) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = settle.FieldError(field, format, args...)
	}
}

// day checks an optional YYYY-MM-DD; empty gives the zero Day.
func (c *fieldCheck) day(field, v string) settle.Day {
	v = strings.TrimSpace(v)
	if v == "" {
		return settle.Day{}
	}
	d, err := settle.ParseDay(v)
	if err != nil {
		c.fail(field, "%s", err.Error())
	}
	return d
}

func (c *fieldCheck) required(field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		c.fail(field, "is required")
	}
	return v
}

func (c *fieldCheck) uuid(field, v string) string {
	v = c.required(field, v)
	if v != "" && !uuidShape.MatchString(v) {
		c.fail(field, "%q is not a UUID", v)
	}
	return strings.ToLower(v)
}

func (c *fieldCheck) key(field, v string) string {
	v = c.required(field, v)
	if v != "" && !keyShape.MatchString(v) {
		c.fail(field, "%q must be 1 to 35 letters, digits, '_' or '-'", v)
	}
	return v
}

func (c *fieldCheck) iban(field, v string, required bool) *string {
	if strings.TrimSpace(v) == "" {
		if required {
			c.fail(field, "is required")
		}
		return nil
	}
	iban, err := sepa.CheckIBAN(v)
	if err != nil {
		c.fail(field, "%s", err.Error())
	}
	return &iban
}

func (c *fieldCheck) bic(field, v string) *string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	bic, err := sepa.CheckBIC(v)
	if err != nil {
		c.fail(field, "%s", err.Error())
	}
	return &bic
}

func (c *fieldCheck) amount(field, v string) *int64 {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	cents, err := ledger.ParseAmount(strings.TrimSpace(v))
	if err != nil {
		c.fail(field, "%s", err.Error())
	} else if cents < 0 {
		c.fail(field, "%s cannot be negative", v)
	}
	return &cents
}

func (c *fieldCheck) email(field, v string) string {
	v = c.required(field, v)
	if v == "" {
		return v
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || strings.Contains(v, "..") || strings.HasSuffix(v, "+") {
		c.fail(field, "%q is not an e-mail address", v)
	}
	return v
}

func (c *fieldCheck) phone(field, v string) string {
	v = c.required(field, v)
	if v != "" && !phoneShape.MatchString(v) {
		c.fail(field, "%q is not a phone number", v)
	}
	return v
}

// taxID accepts an Italian codice fiscale (its check letter verified) or another
// country's identifier of 2 to 32 letters and digits.
func (c *fieldCheck) taxID(field, v string) string {
	v = strings.ToUpper(c.required(field, v))
	switch {
	case v == "":
	case len(v) == 16 && codiceFiscale.MatchString(v):
		if want, _ := sepa.ItalianCheckChar(v[:15]); v[15] != want {
			c.fail(field, "%s has check letter %c, want %c", v, v[15], want)
		}
	case !foreignTaxID.MatchString(v):
		c.fail(field, "%q is not a tax id", v)
	}
	return v
}

// instant accepts RFC 3339 timestamps and bare dates and returns RFC 3339.
func (c *fieldCheck) instant(field, v string, required bool) *string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			c.fail(field, "is required")
		}
		return nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		s := t.Format(time.RFC3339)
		return &s
	}
	if _, err := time.Parse(time.DateOnly, v); err == nil {
		s := v + "T00:00:00Z"
		return &s
	}
	c.fail(field, "%q is not a date-time (RFC 3339) or a date (YYYY-MM-DD)", v)
	return nil
}

func (c *fieldCheck) boolean(field, v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	c.fail(field, "%q is not true or false", v)
	return false
}

func (c *fieldCheck) jsonObject(field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return "{}"
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		c.fail(field, "is not a JSON object: %v", err)
	}
	return v
}

func optional(v string) *string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	return &v
}

// basisPoints checks a share in basis points: a whole number from 0 to 10000.
func (c *fieldCheck) basisPoints(field, v string) int {
	v = c.required(field, v)
	n, err := strconv.Atoi(v)
	if v != "" && (err != nil || n < 0 || n > 10_000) {
		c.fail(field, "%q is not a whole number of basis points from 0 to 10000", v)
	}
	return n
}
