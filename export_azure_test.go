//go:build !secrets_noazure

package secrets

// AzureShouldRetry exposes azureShouldRetry to the external tests.
var AzureShouldRetry = azureShouldRetry
