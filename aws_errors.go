//go:build !secrets_noaws

package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// awsErrorKind maps a Secrets Manager error code to the sentinel it is
// reported as, or nil.
func awsErrorKind(code string) error {
	switch code {
	case "ResourceNotFoundException":
		return ErrNotFound
	case "AccessDeniedException":
		return ErrPermissionDenied
	case "DecryptionFailure":
		return ErrDecryption
	}
	if _, ok := retry.DefaultThrottleErrorCodes[code]; ok {
		return ErrThrottled
	}
	return nil
}

// awsError wraps an SDK error for secret id (and version) so that errors.Is
// finds the matching sentinel, context.Canceled for a cancelled ctx, and
// errors.As the smithy.APIError. It never includes a response body: a
// deserialization error, whose snapshot may hold a secret, is replaced by a
// plain message.
func awsError(ctx context.Context, id, version string, err error) error {
	what := fmt.Sprintf("awssm: secret %q", id)
	if version != "" {
		what += fmt.Sprintf(" version %q", version)
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		err = errors.New("malformed response from Secrets Manager")
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %w: %w", what, cerr, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if kind := awsErrorKind(ae.ErrorCode()); kind != nil {
			return fmt.Errorf("%s: %w: %w", what, kind, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// awsEntryError makes the error of one entry of a BatchGetSecretValue
// response's Errors list, as GetSecretValue's error would be.
func awsEntryError(ctx context.Context, id, code, msg string) error {
	return awsError(ctx, id, "", &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient})
}

// isAWSAccessDenied reports whether err is an AccessDeniedException.
func isAWSAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}
