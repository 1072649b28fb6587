//go:build secrets_novault

package secrets_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fathom-dev/secrets"
)

func TestVaultNotCompiled(t *testing.T) {
	_, err := secrets.Open(context.Background(), "vault:///secret/app")
	assert.ErrorIs(t, err, secrets.ErrNotCompiled)
}
