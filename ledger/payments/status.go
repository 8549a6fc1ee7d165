package payments

// Direct debit and credit transfer statuses (DESIGN: Batch lifecycle).
const (
	PayCreated   = "Created"
	PayBatched   = "Batched"
	PaySent      = "Sent"
	PaySettled   = "Settled"
	PayRejected  = "Rejected"
	PayReturned  = "Returned"
	PayRefunded  = "Refunded"
	PayCancelled = "Cancelled"
)

// Mandate statuses.
const (
	MandateActive    = "Active"
	MandateSuspended = "Suspended"
	MandateRevoked   = "Revoked"
	MandateExpired   = "Expired"
)
