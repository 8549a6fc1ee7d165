package sepa

// The XML shapes of camt.052/053/054 in versions .02, .04 and .08, merged: where
// versions differ (Sts as text or Sts/Cd, Dbtr/Nm or Dbtr/Pty/Nm, Chrgs flat or
// with Rcrd, AmtDtls or Amt in TxDtls) both forms are declared and the
// conversion takes whichever is present. Only what settle uses is declared;
// encoding/xml skips the rest.

type xAmt struct {
	Value string `xml:",chardata"`
	Ccy   string `xml:"Ccy,attr"`
}

type xDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

type xBkTxCd struct {
	Domn struct {
		Cd   string `xml:"Cd"`
		Fmly struct {
			Cd        string `xml:"Cd"`
			SubFmlyCd string `xml:"SubFmlyCd"`
		} `xml:"Fmly"`
	} `xml:"Domn"`
	Prtry struct {
		Cd   string `xml:"Cd"`
		Issr string `xml:"Issr"`
	} `xml:"Prtry"`
}

type xCharge struct {
	Amt         *xAmt  `xml:"Amt"`
	CdtDbtInd   string `xml:"CdtDbtInd"`
	ChrgInclInd string `xml:"ChrgInclInd"`
}

type xCharges struct {
	xCharge                     // .02: each Chrgs is one charge
	TtlChrgsAndTaxAmt *xAmt     `xml:"TtlChrgsAndTaxAmt"`
	Rcrd              []xCharge `xml:"Rcrd"` // .04 and later
}

type xParty struct {
	Nm  string `xml:"Nm"`
	Pty struct {
		Nm string `xml:"Nm"`
	} `xml:"Pty"` // .08: Party40Choice
}

func (p xParty) name() string {
	if p.Nm != "" {
		return p.Nm
	}
	return p.Pty.Nm
}

type xAcct struct {
	Id struct {
		IBAN string `xml:"IBAN"`
		Othr struct {
			Id string `xml:"Id"`
		} `xml:"Othr"`
	} `xml:"Id"`
	Ccy string `xml:"Ccy"`
}

func (a xAcct) id() string {
	if a.Id.IBAN != "" {
		return a.Id.IBAN
	}
	return a.Id.Othr.Id
}

type xTxDtls struct {
	Refs struct {
		MsgId       string `xml:"MsgId"`
		AcctSvcrRef string `xml:"AcctSvcrRef"`
		PmtInfId    string `xml:"PmtInfId"`
		InstrId     string `xml:"InstrId"`
		EndToEndId  string `xml:"EndToEndId"`
		TxId        string `xml:"TxId"`
		MndtId      string `xml:"MndtId"`
	} `xml:"Refs"`
	Amt     *xAmt `xml:"Amt"`
	AmtDtls struct {
		InstdAmt struct {
			Amt *xAmt `xml:"Amt"`
		} `xml:"InstdAmt"`
		TxAmt struct {
			Amt *xAmt `xml:"Amt"`
		} `xml:"TxAmt"`
	} `xml:"AmtDtls"`
	CdtDbtInd string     `xml:"CdtDbtInd"`
	BkTxCd    xBkTxCd    `xml:"BkTxCd"`
	Chrgs     []xCharges `xml:"Chrgs"`
	RltdPties struct {
		Dbtr      xParty `xml:"Dbtr"`
		DbtrAcct  xAcct  `xml:"DbtrAcct"`
		UltmtDbtr xParty `xml:"UltmtDbtr"`
		Cdtr      xParty `xml:"Cdtr"`
		CdtrAcct  xAcct  `xml:"CdtrAcct"`
		UltmtCdtr xParty `xml:"UltmtCdtr"`
	} `xml:"RltdPties"`
	RmtInf struct {
		Ustrd []string `xml:"Ustrd"`
		Strd  []xStrd  `xml:"Strd"`
	} `xml:"RmtInf"`
	RtrInf struct {
		OrgnlBkTxCd xBkTxCd `xml:"OrgnlBkTxCd"`
		Rsn         struct {
			Cd    string `xml:"Cd"`
			Prtry string `xml:"Prtry"`
		} `xml:"Rsn"`
		AddtlInf []string `xml:"AddtlInf"`
	} `xml:"RtrInf"`
	AddtlTxInf string `xml:"AddtlTxInf"`
}

type xNtry struct {
	NtryRef      string      `xml:"NtryRef"`
	Amt          *xAmt       `xml:"Amt"`
	CdtDbtInd    string      `xml:"CdtDbtInd"`
	RvslInd      string      `xml:"RvslInd"`
	Sts          xStatus     `xml:"Sts"`
	BookgDt      *xDate      `xml:"BookgDt"`
	ValDt        *xDate      `xml:"ValDt"`
	AcctSvcrRef  string      `xml:"AcctSvcrRef"`
	BkTxCd       xBkTxCd     `xml:"BkTxCd"`
	Chrgs        []xCharges  `xml:"Chrgs"`
	NtryDtls     []xNtryDtls `xml:"NtryDtls"`
	AddtlNtryInf string      `xml:"AddtlNtryInf"`
	// .001.01 has no NtryDtls: the batch and the transactions sit in the entry itself.
	Btch   *xBtch    `xml:"Btch"`
	TxDtls []xTxDtls `xml:"TxDtls"`
}

type xNtryDtls struct {
	Btch   *xBtch    `xml:"Btch"`
	TxDtls []xTxDtls `xml:"TxDtls"`
}

type xBtch struct {
	MsgId     string `xml:"MsgId"`
	PmtInfId  string `xml:"PmtInfId"`
	NbOfTxs   string `xml:"NbOfTxs"`
	TtlAmt    *xAmt  `xml:"TtlAmt"`
	CdtDbtInd string `xml:"CdtDbtInd"`
}

type xStrd struct {
	CdtrRefInf struct {
		Ref string `xml:"Ref"`
	} `xml:"CdtrRefInf"`
}

// xStatus is Sts: text in .02/.04, Sts/Cd (or Prtry) in .08.
type xStatus struct {
	Text  string `xml:",chardata"`
	Cd    string `xml:"Cd"`
	Prtry string `xml:"Prtry"`
}

type xBal struct {
	Tp struct {
		CdOrPrtry struct {
			Cd    string `xml:"Cd"`
			Prtry string `xml:"Prtry"`
		} `xml:"CdOrPrtry"`
		Cd    string `xml:"Cd"`    // .001.01: Tp/Cd
		Prtry string `xml:"Prtry"` // .001.01: Tp/Prtry
	} `xml:"Tp"`
	Amt       *xAmt  `xml:"Amt"`
	CdtDbtInd string `xml:"CdtDbtInd"`
	Dt        *xDate `xml:"Dt"`
}

type xGrpHdr struct {
	MsgId         string `xml:"MsgId"`
	CreDtTm       string `xml:"CreDtTm"`
	IntrBkSttlmDt string `xml:"IntrBkSttlmDt"` // pacs only
}
