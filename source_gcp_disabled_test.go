//go:build secrets_nogcp

package secrets

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGCPNotCompiled(t *testing.T) {
	_, err := Open(context.Background(), "gcpsm://my-project")
	assert.ErrorIs(t, err, ErrNotCompiled)
	assert.Contains(t, err.Error(), "secrets_nogcp")
}
