package metadata

import (
	"errors"
	"fmt"
)

// ErrInvalidMetadata is matched (errors.Is) by every error this package
// returns for a configuration mistake: an invalid protected resource
// document, a resource identifier from which no metadata URL can be derived,
// two resources sharing a metadata URL, an invalid handler option or an
// unusable authorization server document. These errors are returned by
// [ProtectedResource.Validate], [URL], [Path] and the handler constructors,
// never while serving a request.
var ErrInvalidMetadata = errors.New("metadata: invalid metadata")

// ValidationError is one problem found in a metadata document or handler
// configuration. errors.Is(err, [ErrInvalidMetadata]) reports true for it;
// use errors.As to read the member at fault. The values it quotes come from
// the server's own configuration, never from a request.
type ValidationError struct {
	// Field is the JSON member at fault ("resource", "scopes_supported",
	// ...), or the name of the handler option.
	Field string
	// Value is the offending value, or "" when the problem is an absence.
	Value string
	// Reason says what is wrong.
	Reason string
}

// Error formats the problem as `metadata: <field> "<value>": <reason>`.
func (e *ValidationError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("metadata: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("metadata: %s %q: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns [ErrInvalidMetadata], so that errors.Is matches the
// category.
func (e *ValidationError) Unwrap() error { return ErrInvalidMetadata }

// invalid builds a *ValidationError.
func invalid(field, value, reason string) error {
	return &ValidationError{Field: field, Value: value, Reason: reason}
}
