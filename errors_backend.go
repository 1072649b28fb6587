package secrets

import "errors"

// Errors a remote [Source] wraps, alongside the backend's own error, for
// failures that are not a missing secret. They let a caller (or a Chain, or
// the Loader's report) tell a permission or capacity problem from an absent
// key without knowing the backend. They are never wrapped together with
// [ErrNotFound]. Test for them with errors.Is.
var (
	// ErrAccessDenied: the credentials in use may not read the secret.
	ErrAccessDenied = errors.New("access denied")

	// ErrDecryption: the backend holds the secret but could not decrypt it,
	// e.g. its KMS key is disabled or the caller may not use the key.
	ErrDecryption = errors.New("secret could not be decrypted")

	// ErrThrottled: the backend refused the request for its rate limit,
	// after the client's own retries.
	ErrThrottled = errors.New("request throttled")
)
