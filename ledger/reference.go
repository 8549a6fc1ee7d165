package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"settle"
)

// Partner is a brand issuing wallets, with its settlement account and limits.
type Partner struct {
	PartnerKey                  string  `db:"partner_key"`
	Name                        string  `db:"name"`
	SettlementIBAN              string  `db:"settlement_iban"`
	SettlementBIC               *string `db:"settlement_bic"`
	CreditorID                  *string `db:"creditor_id"`
	DestinationOwner            string  `db:"destination_owner"`
	MaxBalanceCents             *int64  `db:"maximum_balance_cents"`
	MaxMonthCashDepositCents    *int64  `db:"maximum_last_month_cash_deposit_cents"`
	MaxMonthCashWithdrawalCents *int64  `db:"maximum_last_month_cash_withdrawal_cents"`
	MaxMonthSddDepositCents     *int64  `db:"maximum_last_month_sdd_deposit_cents"`
	CreatedAt                   string  `db:"created_at"`
	UpdatedAt                   string  `db:"updated_at"`
}

// Dealer sells wallets through its stores for one partner.
type Dealer struct {
	DealerKey  string  `db:"dealer_key"`
	PartnerKey string  `db:"partner_key"`
	DealerName string  `db:"dealer_name"`
	IBAN       *string `db:"iban"`
	BIC        *string `db:"bic"`
	CreatedAt  string  `db:"created_at"`
	UpdatedAt  string  `db:"updated_at"`
}

// RetailStore is a dealer's point of sale (the seeds' "store"; the Go name avoids a
// clash with the database Store).
type RetailStore struct {
	StoreID   string  `db:"store_id"`
	DealerKey string  `db:"dealer_key"`
	StoreName string  `db:"store_name"`
	IBAN      *string `db:"iban"`
	BIC       *string `db:"bic"`
	City      *string `db:"city"`
	CreatedAt string  `db:"created_at"`
	UpdatedAt string  `db:"updated_at"`
}

// Wallet statuses.
const (
	WalletActive    = "Active"
	WalletSuspended = "Suspended"
	WalletClosed    = "Closed"
)

// Wallet is a consumer's e-money wallet: every field of the seeds' WalletResponse
// plus the SCT reason that identifies the wallet's incoming transfers.
type Wallet struct {
	WalletID             string  `db:"wallet_id"`
	PartnerKey           string  `db:"partner_key"`
	TaxID                string  `db:"tax_id"`
	FirstName            string  `db:"first_name"`
	LastName             string  `db:"last_name"`
	IBAN                 *string `db:"iban"`
	BIC                  *string `db:"bic"`
	IsIBANValidated      bool    `db:"is_iban_validated"`
	IBANValidationCode   *string `db:"iban_validation_code"`
	PhoneNumber          string  `db:"phone_number"`
	Email                string  `db:"email"`
	CreationDate         string  `db:"creation_date"`
	LastUpdateDate       string  `db:"last_update_date"`
	LastUsageDate        *string `db:"last_usage_date"`
	ClosureDate          *string `db:"closure_date"`
	SuspensionDate       *string `db:"suspension_date"`
	OriginatingDealerKey string  `db:"originating_dealer_key"`
	AddressStreet        *string `db:"address_street"`
	AddressNumber        *string `db:"address_number"`
	ZipCode              *string `db:"zip_code"`
	City                 *string `db:"city"`
	Province             *string `db:"province"`
	Country              *string `db:"country"`
	Status               string  `db:"status"`
	Metadata             string  `db:"metadata"`
	SCTReason            *string `db:"sct_reason"`
}

// UpsertPartner inserts or updates a partner and makes sure its system accounts exist.
func UpsertPartner(w *Writer, p *Partner) error {
	p.CreatedAt, p.UpdatedAt = w.createdAt, w.createdAt
	_, err := w.NamedExec(`INSERT INTO partners (partner_key, name, settlement_iban, settlement_bic,
		creditor_id, destination_owner, maximum_balance_cents, maximum_last_month_cash_deposit_cents,
		maximum_last_month_cash_withdrawal_cents, maximum_last_month_sdd_deposit_cents, created_at, updated_at)
		VALUES (:partner_key, :name, :settlement_iban, :settlement_bic, :creditor_id, :destination_owner,
		:maximum_balance_cents, :maximum_last_month_cash_deposit_cents, :maximum_last_month_cash_withdrawal_cents,
		:maximum_last_month_sdd_deposit_cents, :created_at, :updated_at)
		ON CONFLICT (partner_key) DO UPDATE SET name = excluded.name, settlement_iban = excluded.settlement_iban,
		settlement_bic = excluded.settlement_bic, creditor_id = excluded.creditor_id,
		destination_owner = excluded.destination_owner, maximum_balance_cents = excluded.maximum_balance_cents,
		maximum_last_month_cash_deposit_cents = excluded.maximum_last_month_cash_deposit_cents,
		maximum_last_month_cash_withdrawal_cents = excluded.maximum_last_month_cash_withdrawal_cents,
		maximum_last_month_sdd_deposit_cents = excluded.maximum_last_month_sdd_deposit_cents,
		updated_at = excluded.updated_at`, p)
	if err != nil {
		return fmt.Errorf("partner %s: %w", p.PartnerKey, err)
	}
	for _, name := range SystemAccounts {
		if err := EnsureAccount(w, PartnerAccountCode(p.PartnerKey, name), p.PartnerKey, nil, name); err != nil {
			return err
		}
	}
	return nil
}

// UpsertDealer inserts or updates a dealer.
func UpsertDealer(w *Writer, d *Dealer) error {
	d.CreatedAt, d.UpdatedAt = w.createdAt, w.createdAt
	_, err := w.NamedExec(`INSERT INTO dealers (dealer_key, partner_key, dealer_name, iban, bic, created_at, updated_at)
		VALUES (:dealer_key, :partner_key, :dealer_name, :iban, :bic, :created_at, :updated_at)
		ON CONFLICT (dealer_key) DO UPDATE SET dealer_name = excluded.dealer_name, iban = excluded.iban,
		bic = excluded.bic, updated_at = excluded.updated_at`, d)
	if err != nil {
		return fmt.Errorf("dealer %s: %w", d.DealerKey, err)
	}
	return nil
}

// UpsertStore inserts or updates a retail store.
func UpsertStore(w *Writer, s *RetailStore) error {
	s.CreatedAt, s.UpdatedAt = w.createdAt, w.createdAt
	_, err := w.NamedExec(`INSERT INTO stores (store_id, dealer_key, store_name, iban, bic, city, created_at, updated_at)
		VALUES (:store_id, :dealer_key, :store_name, :iban, :bic, :city, :created_at, :updated_at)
		ON CONFLICT (store_id) DO UPDATE SET dealer_key = excluded.dealer_key, store_name = excluded.store_name,
		iban = excluded.iban, bic = excluded.bic, city = excluded.city, updated_at = excluded.updated_at`, s)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.StoreID, err)
	}
	return nil
}

// UpsertWallet inserts or updates a wallet and makes sure its bucket accounts exist.
// A wallet cannot move to another partner: its accounts belong to the first one.
// What settle itself learns survives any re-import of the platform's feed: an IBAN
// validated (by the first transfer carrying its code) stays validated while the IBAN
// is the same (a feed may validate, never un-validate; a new IBAN starts from what
// the feed says), and the last usage and update dates only move forward.
func UpsertWallet(w *Writer, wl *Wallet) error {
	res, err := w.NamedExec(`INSERT INTO wallets (wallet_id, partner_key, tax_id, first_name, last_name,
		iban, bic, is_iban_validated, iban_validation_code, phone_number, email, creation_date, last_update_date,
		last_usage_date, closure_date, suspension_date, originating_dealer_key, address_street, address_number,
		zip_code, city, province, country, status, metadata, sct_reason)
		VALUES (:wallet_id, :partner_key, :tax_id, :first_name, :last_name, :iban, :bic, :is_iban_validated,
		:iban_validation_code, :phone_number, :email, :creation_date, :last_update_date, :last_usage_date,
		:closure_date, :suspension_date, :originating_dealer_key, :address_street, :address_number, :zip_code,
		:city, :province, :country, :status, :metadata, :sct_reason)
		ON CONFLICT (wallet_id) DO UPDATE SET tax_id = excluded.tax_id, first_name = excluded.first_name,
		last_name = excluded.last_name, iban = excluded.iban, bic = excluded.bic,
		is_iban_validated = CASE WHEN excluded.iban IS NOT DISTINCT FROM wallets.iban THEN wallets.is_iban_validated OR excluded.is_iban_validated
			ELSE excluded.is_iban_validated END,
		iban_validation_code = excluded.iban_validation_code,
		phone_number = excluded.phone_number, email = excluded.email,
		last_update_date = CASE WHEN wallets.last_update_date IS NULL OR excluded.last_update_date > wallets.last_update_date
			THEN excluded.last_update_date ELSE wallets.last_update_date END,
		last_usage_date = CASE WHEN wallets.last_usage_date IS NULL OR excluded.last_usage_date > wallets.last_usage_date
			THEN excluded.last_usage_date ELSE wallets.last_usage_date END,
		closure_date = excluded.closure_date,
		suspension_date = excluded.suspension_date, originating_dealer_key = excluded.originating_dealer_key,
		address_street = excluded.address_street, address_number = excluded.address_number,
		zip_code = excluded.zip_code, city = excluded.city, province = excluded.province,
		country = excluded.country, status = excluded.status, metadata = excluded.metadata,
		sct_reason = excluded.sct_reason
		WHERE wallets.partner_key = excluded.partner_key`, wl)
	if err != nil {
		return uniqueError(err, wl)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 { // the wallet exists under another partner
		var owner string
		w.Get(&owner, `SELECT partner_key FROM wallets WHERE wallet_id = ?`, wl.WalletID)
		return settle.FieldError("partnerKey", "wallet %s belongs to partner %s and cannot move to %s", wl.WalletID, owner, wl.PartnerKey)
	}
	// Both bucket accounts in one statement.
	_, err = w.Exec(`INSERT INTO accounts (code, partner_key, wallet_id, name, created_at) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO NOTHING`,
		WalletAccountCode(wl.WalletID, BucketWithdrawable), wl.PartnerKey, wl.WalletID, BucketWithdrawable, w.createdAt,
		WalletAccountCode(wl.WalletID, BucketRestricted), wl.PartnerKey, wl.WalletID, BucketRestricted, w.createdAt)
	if err != nil {
		return fmt.Errorf("accounts of wallet %s: %w", wl.WalletID, err)
	}
	return nil
}

// PartnerByKey reads a partner in the writer's transaction; NotFound if there is none.
func PartnerByKey(w *Writer, key string) (*Partner, error) {
	var p Partner
	err := w.Get(&p, `SELECT * FROM partners WHERE partner_key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, settle.Errorf(settle.NotFound, "partner %s does not exist", key)
	}
	return &p, err
}
