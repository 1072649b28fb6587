//go:build !secrets_nodotenv

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartRunsWithNoSetup(t *testing.T) {
	t.Setenv("SECRETS_SOURCE", "")
	t.Setenv("PORT", "9090")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	assert.Contains(t, s, "Port:9090")
	assert.Contains(t, s, "StripeKey:[REDACTED]")
	assert.Contains(t, s, "DBPass:[REDACTED]")
	assert.NotContains(t, s, "sk_test_quickstart")
	assert.NotContains(t, s, "quickstart-password")
	assert.Regexp(t, `Port\s+port\s+env`, s)
	assert.Regexp(t, `StripeKey\s+stripe_api_key\s+dotenv://embedded defaults.env`, s)
	assert.Regexp(t, `Timeout\s+timeout\s+default`, s)
}
