// Package azure holds the defang:azure:* components: the same compose
// application as on AWS, on Azure Container Apps, with ACR builds, Key Vault
// secrets, PostgreSQL Flexible Server, Azure Managed Redis and AI Foundry.
package azure

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Azure name limits that derived names must respect (DESIGN.md section 9).
const (
	maxResourceGroupName = 90
	maxKeyVaultName      = 24 // 3-24: letters, digits, hyphens; starts with a letter
	maxStorageAccount    = 24 // 3-24: lowercase letters and digits only
	maxRegistryName      = 50 // 5-50: letters and digits only
	maxContainerAppName  = 32 // lowercase letters, digits, '-'; starts with a letter
	maxPostgresServer    = 63
	maxRedisName         = 60
)

// hashSuffix is a short, stable hash of s.
func hashSuffix(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// dashedName joins parts with "-", keeps lowercase letters, digits and single
// hyphens, starts with a letter, and shortens with a hash past max, so that
// the same parts always give the same name and long names stay distinct.
func dashedName(max int, parts ...string) string {
	full := clean(strings.Join(parts, "-"), true)
	if full == "" || full[0] < 'a' || full[0] > 'z' {
		full = "d" + full
	}
	if len(full) <= max {
		return full
	}
	suffix := hashSuffix(full, 8)
	return strings.TrimRight(full[:max-len(suffix)-1], "-") + "-" + suffix
}

// compactName is dashedName without hyphens (storage accounts, registries):
// lowercase letters and digits, starting with a letter.
func compactName(max int, parts ...string) string {
	full := clean(strings.Join(parts, ""), false)
	if full == "" || full[0] < 'a' || full[0] > 'z' {
		full = "d" + full
	}
	if len(full) <= max {
		return full
	}
	suffix := hashSuffix(full, 8)
	return full[:max-len(suffix)] + suffix
}

func clean(s string, dashes bool) string {
	var b strings.Builder
	lastDash := true
	for _, r := range strings.ToLower(s) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
			lastDash = false
		case dashes && !lastDash:
			b.WriteByte('-')
			lastDash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ResourceGroupName is defang-{project}-{stack}-{location}, as Defang's Azure
// provider names it.
func ResourceGroupName(project, stack, location string) string {
	return dashedName(maxResourceGroupName, "defang", project, stack, location)
}

// clientConfig is the subscription the azure-native provider of parent
// deploys into and the identity it deploys as (getClientConfig).
func clientConfig(ctx *pulumi.Context, parent pulumi.Resource) (*authorization.GetClientConfigResult, error) {
	cfg, err := authorization.GetClientConfig(ctx, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("reading the Azure subscription (getClientConfig): %w", err)
	}
	return cfg, nil
}

// subscriptionID is the subscription of clientConfig.
func subscriptionID(ctx *pulumi.Context, parent pulumi.Resource) (string, error) {
	cfg, err := clientConfig(ctx, parent)
	if err != nil {
		return "", err
	}
	return cfg.SubscriptionId, nil
}

// globalSuffix makes a globally unique name (a DNS name under
// postgres.database.azure.com, redis.azure.net or openai.azure.com) unique
// to the subscription and location that own it: the same project and stack
// names in another subscription or location get another name, and the same
// ones always the same.
func globalSuffix(ctx *pulumi.Context, parent pulumi.Resource, location string) (string, error) {
	sub, err := subscriptionID(ctx, parent)
	if err != nil {
		return "", err
	}
	return hashSuffix(sub+"/"+location, 6), nil
}

// LlmAccountName is the AI Foundry account (and OpenAI subdomain) of an LLM
// gateway; suffix is globalSuffix's.
func LlmAccountName(project, stack, service, suffix string) string {
	return dashedName(maxCognitiveAccountName, project, stack, service, suffix)
}
