//go:build secrets_noazure

package secrets

func init() {
	registerDisabled("azurekv", "azurekv://VAULT", "secrets_noazure")
}
