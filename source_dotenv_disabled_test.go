//go:build secrets_nodotenv

package secrets_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fathom-dev/secrets"
)

func TestDotenvNotCompiled(t *testing.T) {
	_, err := secrets.Open(context.Background(), "dotenv://.env")
	assert.ErrorIs(t, err, secrets.ErrNotCompiled)
	assert.Contains(t, err.Error(), "secrets_nodotenv")
}
