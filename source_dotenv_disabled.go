//go:build secrets_nodotenv

package secrets

func init() {
	registerDisabled("dotenv", "dotenv://PATH", "secrets_nodotenv")
}
