package secrets

import "errors"

// Sentinel errors shared by the cloud backends, wrapped with the key and the
// source so that callers can tell failures apart with errors.Is. None of
// them is ever reported as [ErrNotFound].
var (
	// ErrPermissionDenied is wrapped by a [Source] whose backend refused access to
	// a secret that may well exist: Azure Key Vault 403 Forbidden (missing
	// access policy or RBAC role), AWS AccessDeniedException, GCP PERMISSION_DENIED, Vault 403.
	ErrPermissionDenied = errors.New("permission denied")

	// ErrDisabled is wrapped by a [Source] when the secret or the requested
	// version exists but is disabled and cannot be read (Azure Key Vault
	// 403 with inner error SecretDisabled).
	ErrDisabled = errors.New("secret is disabled")

	// ErrDecryption is wrapped by a [Source] whose backend holds the secret
	// but could not decrypt it (AWS DecryptionFailure: the KMS key is
	// disabled or the caller may not use it).
	ErrDecryption = errors.New("secret could not be decrypted")

	// ErrThrottled is wrapped by a [Source] when the backend still answered
	// "too many requests" after the SDK's retries (HTTP 429).
	ErrThrottled = errors.New("throttled by the secret store")
)
