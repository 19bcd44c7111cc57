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

	"github.com/DefangLabs/pulumi-defang/provider/autonaming"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
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

// dashedRule is the shape of most Azure names: lowercase letters, digits
// and single hyphens, starting with a letter, at most max.
func dashedRule(max int) autonaming.Rule {
	return autonaming.Rule{Max: max, Lower: true, Extra: "-", Sep: '-', LetterFirst: true}
}

// dashedName joins parts with "-" into a dashedRule name. A name that
// already is one is kept; any other is cleaned and, cut to fit, ends with a
// hash of the original (autonaming.Rule.Fit), so that names sharing a
// prefix, or differing only in characters Azure does not accept ("my_shop",
// "my.shop", "my-shop"), stay distinct and the same parts always give the
// same name.
func dashedName(max int, parts ...string) string {
	return dashedRule(max).Fit(strings.Join(parts, "-"))
}

// compactName is dashedName without hyphens (storage accounts, registries):
// lowercase letters and digits, starting with a letter.
func compactName(max int, parts ...string) string {
	return autonaming.Rule{Max: max, Lower: true, LetterFirst: true}.Fit(strings.Join(parts, ""))
}

// containerAppRule: Container App names are 2-32 lowercase letters, digits
// and hyphens, starting with a letter, ending with a letter or digit, with
// no "--" (PSRule for Azure Azure.ContainerApp.Name, from the Microsoft.App
// API's error text; azurecaf resourceDefinition.json azurerm_container_app).
var containerAppRule = autonaming.Rule{Min: 2, Max: maxContainerAppName, Lower: true, Extra: "-", Sep: '-', LetterFirst: true}

// containerAppName is the Container App (and container) name of a compose
// service. The app's name is its host name inside the environment, so it
// starts from the service's compose DNS label (compose refuses two services
// of one label); a label the rule refuses (too short, too long, a digit
// first) gets a hash of it. project.go's address book and the ContainerApp
// both use this, so that rewritten addresses reach the app.
func containerAppName(service string) string {
	return containerAppRule.Fit(compose.DNSLabel(service))
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

// Token prefixes of the types whose names follow the stack's
// pulumi:autonaming (per-resource-type sections use these tokens).
const (
	tokenResourceGroup   = "azure-native:resources:ResourceGroup"
	tokenVirtualNetwork  = "azure-native:network:VirtualNetwork"
	tokenSecurityGroup   = "azure-native:network:NetworkSecurityGroup"
	tokenWorkspace       = "azure-native:operationalinsights:Workspace"
	tokenEnvironment     = "azure-native:app:ManagedEnvironment"
	tokenRegistry        = "azure-native:containerregistry:Registry"
	tokenStorageAccount  = "azure-native:storage:StorageAccount"
	tokenIdentity        = "azure-native:managedidentity:UserAssignedIdentity"
	tokenPostgresServer  = "azure-native:dbforpostgresql:Server"
	tokenRedisEnterprise = "azure-native:cache:RedisEnterprise"
)

// named is base, a name we set, under the stack's pulumi:autonaming: its
// pattern with ${name} = base (random parts seeded from the stack and
// base), made to fit rule. In default, verbatim and disabled modes it is
// base: every Azure name is set by us, so the engine autonames nothing and
// a logical name is never a physical one. Container App names are the
// services' host names in their environment and stay their DNS labels;
// the AI Foundry account's name is also its OpenAI subdomain, which
// dependents' base URLs are built from, and stays LlmAccountName.
//
// A pulumi:autonaming that does not parse fails the Project (Deploy); here
// it names as if there were none.
func named(ctx *pulumi.Context, token, base string, rule autonaming.Rule) string {
	n, err := autonaming.NewNamer(ctx)
	if err != nil {
		return rule.Fit(base)
	}
	return n.Name(autonaming.Request{Type: token, Logical: base, Base: base, Rule: rule}).Value
}

// withMin is r with a minimum length.
func withMin(r autonaming.Rule, min int) autonaming.Rule {
	r.Min = min
	return r
}
