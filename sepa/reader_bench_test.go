package sepa

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const benchItems = 200_000

var benchFiles sync.Map // kind → path

// benchFile writes (once per process) a file of benchItems entries, transfers or
// statuses of the given kind, with realistic content.
func benchFile(b *testing.B, kind string) string {
	if p, ok := benchFiles.Load(kind); ok {
		return p.(string)
	}
	dir, err := os.MkdirTemp("", "settle-bench")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, kind+".xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	head, item, tail := benchShape(kind)
	w.WriteString(head)
	for i := 0; i < benchItems; i++ {
		fmt.Fprintf(w, item, i, 1+i%99999, i%100)
	}
	w.WriteString(tail)
	w.Flush()
	f.Close()
	benchFiles.Store(kind, path)
	return path
}

func benchShape(kind string) (head, item, tail string) {
	switch kind {
	case Camt054:
		return camtHead, `<Ntry><Amt Ccy="EUR">%[2]d.%02[3]d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>REF%[1]d</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-%[1]d</EndToEndId></Refs><Amt Ccy="EUR">%[2]d.%02[3]d</Amt>
<RltdPties><Dbtr><Pty><Nm>Nicolò Rossi</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>W%[1]d</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
`, camtTail
	case Pacs008:
		h, _, _ := strings.Cut(pacs008, "<CdtTrfTxInf>")
		return h, `<CdtTrfTxInf><PmtId><EndToEndId>E%[1]d</EndToEndId><TxId>T%[1]d</TxId></PmtId>
<IntrBkSttlmAmt Ccy="EUR">%[2]d.%02[3]d</IntrBkSttlmAmt><ChrgBr>SLEV</ChrgBr><Dbtr><Nm>Mario Rossi</Nm></Dbtr>
<DbtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId/></DbtrAgt><CdtrAgt><FinInstnId/></CdtrAgt>
<Cdtr><Nm>Acme Pay</Nm></Cdtr><CdtrAcct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></CdtrAcct><RmtInf><Ustrd>W%[1]d</Ustrd></RmtInf></CdtTrfTxInf>
`, "</FIToFICstmrCdtTrf></Document>"
	case Pain002:
		h, _, _ := strings.Cut(pain002, "<TxInfAndSts>")
		return h, `<TxInfAndSts><OrgnlEndToEndId>TOPUP-%[1]d</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>
<OrgnlTxRef><Amt><InstdAmt Ccy="EUR">%[2]d.%02[3]d</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>
`, "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
	}
	panic(kind)
}

// peakHeap samples the live heap.
type peakHeap struct{ max uint64 }

func (p *peakHeap) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p.max = max(p.max, m.HeapInuse)
}

func benchReader(b *testing.B, kind string) {
	path := benchFile(b, kind)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	runtime.GC()
	var peak peakHeap
	b.ResetTimer()
	for range b.N {
		f, _ := os.Open(path)
		rd, err := NewReader(f, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%50_000 == 0 {
				peak.sample()
			}
		}
		f.Close()
		if n < benchItems {
			b.Fatalf("%d items", n)
		}
	}
	b.ReportMetric(float64(benchItems*b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(peak.max)/(1<<20), "peak-heap-MB")
}

func benchTokens(b *testing.B, kind string) {
	path := benchFile(b, kind)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for range b.N {
		f, _ := os.Open(path)
		dec := xml.NewDecoder(f)
		for {
			if _, err := dec.RawToken(); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				b.Fatal(err)
			}
		}
		f.Close()
	}
	b.ReportMetric(float64(benchItems*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkReader compares each reader with a bare encoding/xml RawToken scan of the
// same file of 200,000 items (go test ./sepa -run X -bench Reader -benchtime 3x).
func BenchmarkReader(b *testing.B) {
	for _, kind := range []string{Camt054, Pacs008, Pain002} {
		b.Run(kind+"/reader", func(b *testing.B) { benchReader(b, kind) })
		b.Run(kind+"/tokens", func(b *testing.B) { benchTokens(b, kind) })
	}
}
