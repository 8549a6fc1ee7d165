package settle

import (
	"errors"
	"fmt"
)

// Code classifies an Error; the HTTP API maps each code to one status in one place.
type Code string

// The error codes of settle.
const (
	Invalid  Code = "invalid"   // the input is wrong: fix it and retry
	NotFound Code = "not_found" // the named thing does not exist
	Conflict Code = "conflict"  // the request clashes with the current state
	Internal Code = "internal"  // a bug or an environment failure
	// Unavailable is a dependency not ready yet (the database, a pending migration):
	// retry later.
	Unavailable Code = "unavailable"
	// Unauthenticated and Forbidden are the API's: no valid signature, or a key
	// asking for what is not its partner's.
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
)

// Error is settle's one error type. Field names the offending input field when there is one.
type Error struct {
	Code    Code
	Message string
	Field   string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid *Error naming field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
