//go:build secrets_noaws

package secrets

func init() {
	registerDisabled("awssm", "awssm://?region=R&prefix=P or awssm:///SECRET-ID", "secrets_noaws")
}
