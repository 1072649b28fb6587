//go:build secrets_noazure

package secrets_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestAzureNotCompiled(t *testing.T) {
	_, err := secrets.Open(context.Background(), "azurekv://my-vault")
	require.Error(t, err)
	assert.ErrorIs(t, err, secrets.ErrNotCompiled)
	assert.Contains(t, err.Error(), "secrets_noazure")
}
