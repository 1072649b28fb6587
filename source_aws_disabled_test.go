//go:build secrets_noaws

package secrets_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fathom-dev/secrets"
)

func TestAWSNotCompiled(t *testing.T) {
	_, err := secrets.Open(context.Background(), "awssm://?region=eu-west-1")
	assert.ErrorIs(t, err, secrets.ErrNotCompiled)
	assert.Contains(t, err.Error(), "secrets_noaws")
}
