package gen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"settle"
	"strings"
)

// Remittance is cash a store pays into its partner's settlement account, quoting
// its RF reference.
type Remittance struct {
	PartnerIBAN string // the partner's settlement account
	StoreName   string
	StoreIBAN   string // the account the store pays from
	Reference   string // the store's RF creditor reference (ledger.StoreCashReference)
	Cents       int64
}

// WriteRemittances writes the stores' cash remittances booked on day as one
// camt.054 notification in dir (camt.054.DAY-remittances.xml), each credit quoting
// the store's reference in groups of four, as a store's bank prints it.
func WriteRemittances(dir string, day settle.Day, rs []Remittance) (File, error) {
	path := filepath.Join(dir, "camt.054."+day.String()+"-remittances.xml")
	f, err := os.Create(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	cv, _ := versionOf("08")
	bw := bufio.NewWriter(f)
	date := day.String()
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>REMIT-%s</MsgId><CreDtTm>%sT23:30:00</CreDtTm></GrpHdr>
`, day.Compact(), date)
	byAccount := map[string][]Remittance{}
	var accounts []string
	for _, r := range rs {
		if byAccount[r.PartnerIBAN] == nil {
			accounts = append(accounts, r.PartnerIBAN)
		}
		byAccount[r.PartnerIBAN] = append(byAccount[r.PartnerIBAN], r)
	}
	n := 0
	for i, acct := range accounts {
		fmt.Fprintf(bw, "<Ntfctn><Id>REMIT-%s-%d</Id><CreDtTm>%sT23:30:00</CreDtTm><Acct><Id><IBAN>%s</IBAN></Id><Ccy>EUR</Ccy></Acct>\n",
			day.Compact(), i+1, date, acct)
		for _, r := range byAccount[acct] {
			n++
			e := entry{ref: fmt.Sprintf("%sREMIT%06d", day.Compact(), n), e2e: "NOTPROVIDED", cents: r.Cents, currency: "EUR",
				debtorName: r.StoreName, debtorIBAN: r.StoreIBAN, remittance: "Versamento contanti " + grouped(r.Reference)}
			if err := writeEntry(bw, cv, date, e); err != nil {
				return File{}, err
			}
		}
		bw.WriteString("</Ntfctn>\n")
	}
	bw.WriteString("</BkToCstmrDbtCdtNtfctn></Document>\n")
	if err := bw.Flush(); err != nil {
		return File{}, err
	}
	return File{Kind: "camt.054", Path: path, Rows: n}, f.Close()
}

// grouped prints a reference in groups of four: RF18 S5A0 E1B2 ….
func grouped(ref string) string {
	var parts []string
	for i := 0; i < len(ref); i += 4 {
		parts = append(parts, ref[i:min(i+4, len(ref))])
	}
	return strings.Join(parts, " ")
}
