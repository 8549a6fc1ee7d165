package reports

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"settle"
	"strings"

	"github.com/shopspring/decimal"

	"settle/ledger"
)

// PageName is the file name of day's settlement page: settlement-2026-11-20.html.
func PageName(day settle.Day) string { return "settlement-" + day.String() + ".html" }

//go:embed page.html.tmpl statement.html.tmpl
var pageFiles embed.FS

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"money":   money,
	"cents":   func(c int64) string { return money(decimal.New(c, -2)) },
	"rf":      ledger.StoreCashReference,
	"buckets": func() [4]string { return AgeBuckets },
	"plural": func(n int64, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}).ParseFS(pageFiles, "*.html.tmpl"))

// WritePage writes the settlement page of day (for one partner, or every partner
// with scope "") as one self-contained HTML file: no script, no external style,
// font or image, so it opens from a shared folder or an e-mail and prints on A4.
func WritePage(ctx context.Context, s *ledger.Store, day settle.Day, scope string, w io.Writer) error {
	st, err := BuildSettlement(ctx, s, day, scope)
	if err != nil {
		return err
	}
	return pageTemplate.ExecuteTemplate(w, "page.html.tmpl", pageView{Settlement: st, Verdict: verdictOf(st), Chart: chartOf(st.Trend)})
}

// pageView is what the template reads.
type pageView struct {
	*Settlement
	Verdict verdict
	Chart   *chart
}

// verdict answers the morning's question: did the day settle, and is customer
// money safe?
type verdict struct {
	OK      bool
	Reasons []string
}

func verdictOf(st *Settlement) verdict {
	v := verdict{OK: true}
	statements, red := 0, 0
	for _, p := range st.Partners {
		for _, sc := range p.Statements {
			statements++
			if !sc.Green() {
				red++
				v.Reasons = append(v.Reasons, fmt.Sprintf("%s: statement %s has %d finding(s)", p.Key, sc.StatementID, len(sc.Findings)))
			}
		}
		if g := p.Safeguarding; g != nil {
			if g.Shortfall {
				v.Reasons = append(v.Reasons, fmt.Sprintf("%s: shortfall, customer money %s is not covered by %s held", p.Key, money(g.Customer), money(g.Held)))
			}
			if !g.Drift.IsZero() {
				v.Reasons = append(v.Reasons, fmt.Sprintf("%s: the bank and the ledger drift by %s", p.Key, money(g.Drift)))
			}
		}
	}
	if statements == 0 {
		v.Reasons = append(v.Reasons, "no bank statement was reconciled for the day")
	}
	v.OK = len(v.Reasons) == 0
	return v
}

// money formats an amount with two decimals and thousands separators: 1,234.50.
func money(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// chart is the safeguarding trend drawn as inline SVG: money held (bank and store
// cash) and customer money, day by day.
type chart struct {
	Width, Height      int
	Held, Customer     string // polyline points
	Top, Bottom        string // the amounts at the top and bottom of the scale
	FirstDay, LastDay  string
	Days               int
	HeldDots, OwedDots []dot
	LastHeld, LastOwed string
	DriftDays          int // days whose drift was not zero
}

type dot struct{ X, Y int64 }

// chartOf scales the trend into a 640×180 box; amounts stay integers (cents), the
// coordinates are computed from them with integer arithmetic.
func chartOf(trend []TrendPoint) *chart {
	if len(trend) == 0 {
		return nil
	}
	c := &chart{Width: 640, Height: 180, Days: len(trend), FirstDay: trend[0].Day.String(), LastDay: trend[len(trend)-1].Day.String()}
	lo, hi := trend[0].Held, trend[0].Held
	for _, p := range trend {
		lo, hi = min(lo, p.Held, p.Customer), max(hi, p.Held, p.Customer)
		if p.Drift != 0 {
			c.DriftDays++
		}
	}
	if hi == lo {
		hi, lo = hi+100, lo-100
	}
	const left, right, top, bottom = 8, 8, 10, 20
	x := func(i int) int64 {
		if len(trend) == 1 {
			return int64(c.Width) / 2
		}
		return int64(left + i*(c.Width-left-right)/(len(trend)-1))
	}
	y := func(v int64) int64 { return top + (hi-v)*int64(c.Height-top-bottom)/(hi-lo) }
	var held, owed []string
	for i, p := range trend {
		hd, od := dot{x(i), y(p.Held)}, dot{x(i), y(p.Customer)}
		held = append(held, fmt.Sprintf("%d,%d", hd.X, hd.Y))
		owed = append(owed, fmt.Sprintf("%d,%d", od.X, od.Y))
		c.HeldDots, c.OwedDots = append(c.HeldDots, hd), append(c.OwedDots, od)
	}
	c.Held, c.Customer = strings.Join(held, " "), strings.Join(owed, " ")
	c.Top, c.Bottom = money(decimal.New(hi, -2)), money(decimal.New(lo, -2))
	last := trend[len(trend)-1]
	c.LastHeld, c.LastOwed = money(decimal.New(last.Held, -2)), money(decimal.New(last.Customer, -2))
	return c
}

// WritePage writes the statement as a self-contained HTML page (see WritePage).
func (st *Statement) WritePage(w io.Writer) error {
	return pageTemplate.ExecuteTemplate(w, "statement.html.tmpl", st)
}
