package ledger

// The CSV rows of the reference data feeds. Headers are the seeds' camelCase names.
// Every column is read as text and validated by the importer, so that a bad cell is
// reported with its line and field instead of failing the whole file. The generator
// writes these same types, so the headers cannot drift.

// PartnerRow is one row of partners.csv.
type PartnerRow struct {
	PartnerKey                     string `csv:"partnerKey"`
	Name                           string `csv:"name"`
	SettlementIBAN                 string `csv:"settlementIban"`
	SettlementBIC                  string `csv:"settlementBic"`
	CreditorID                     string `csv:"creditorId"`
	DestinationOwner               string `csv:"destinationOwner"`
	Maximum                        string `csv:"maximum"`
	MaximumLastMonthCashDeposit    string `csv:"maximumLastMonthCashDeposit"`
	MaximumLastMonthCashWithdrawal string `csv:"maximumLastMonthCashWithdrawal"`
	MaximumLastMonthSddDeposit     string `csv:"maximumLastMonthSddDeposit"`
}

// DealerRow is one row of dealers.csv.
type DealerRow struct {
	DealerKey  string `csv:"dealerKey"`
	PartnerKey string `csv:"partnerKey"`
	DealerName string `csv:"dealerName"`
	IBAN       string `csv:"iban"`
	BIC        string `csv:"bic"`
}

// StoreRow is one row of stores.csv.
type StoreRow struct {
	StoreID   string `csv:"storeId"`
	DealerKey string `csv:"dealerKey"`
	StoreName string `csv:"storeName"`
	IBAN      string `csv:"iban"`
	BIC       string `csv:"bic"`
	City      string `csv:"city"`
}

// WalletRow is one row of wallets.csv: the seeds' WalletResponse plus the SCT reason
// (the seeds' "reason" of the SCT instructions).
type WalletRow struct {
	WalletID             string `csv:"walletId"`
	PartnerKey           string `csv:"partnerKey"`
	TaxID                string `csv:"taxId"`
	FirstName            string `csv:"firstName"`
	LastName             string `csv:"lastName"`
	IBAN                 string `csv:"iban"`
	BIC                  string `csv:"bic"`
	IsIBANValidated      string `csv:"isIbanValidated"`
	IBANValidationCode   string `csv:"ibanValidationCode"`
	PhoneNumber          string `csv:"phoneNumber"`
	Email                string `csv:"email"`
	CreationDate         string `csv:"creationDate"`
	LastUpdateDate       string `csv:"lastUpdateDate"`
	LastUsageDate        string `csv:"lastUsageDate"`
	ClosureDate          string `csv:"closureDate"`
	SuspensionDate       string `csv:"suspensionDate"`
	OriginatingDealerKey string `csv:"originatingDealerKey"`
	AddressStreet        string `csv:"addressStreet"`
	AddressNumber        string `csv:"addressNumber"`
	ZipCode              string `csv:"zipCode"`
	City                 string `csv:"city"`
	Province             string `csv:"province"`
	Country              string `csv:"country"`
	Status               string `csv:"status"`
	Metadata             string `csv:"metadata"`
	Reason               string `csv:"reason"`
}

// MandateRow is one row of mandates.csv: an SDD mandate a wallet's owner signed.
// originalMandateId names the mandate id it replaces, when the reference changed.
type MandateRow struct {
	MandateID         string `csv:"mandateId"`
	WalletID          string `csv:"walletId"`
	DebtorName        string `csv:"debtorName"`
	DebtorIBAN        string `csv:"debtorIban"`
	DebtorBIC         string `csv:"debtorBic"`
	SignatureDate     string `csv:"signatureDate"`
	Status            string `csv:"status"`
	OriginalMandateID string `csv:"originalMandateId"`
}

// TopUpRow is one row of topups.csv: a top-up to collect by SEPA direct debit.
type TopUpRow struct {
	TopUpID                 string `csv:"topUpId"`
	WalletID                string `csv:"walletId"`
	MandateID               string `csv:"mandateId"`
	Amount                  string `csv:"amount"`
	RequestedCollectionDate string `csv:"requestedCollectionDate"`
}

// WithdrawalRow is one row of withdrawals.csv: money a wallet's owner takes out
// to the wallet's validated IBAN (operationType SctWithdrawal, or Redemption).
type WithdrawalRow struct {
	WithdrawalID           string `csv:"withdrawalId"`
	WalletID               string `csv:"walletId"`
	Amount                 string `csv:"amount"`
	OperationType          string `csv:"operationType"`
	RequestedExecutionDate string `csv:"requestedExecutionDate"`
	Remittance             string `csv:"remittance"`
}
