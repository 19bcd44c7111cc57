package cloudrules

import "regexp"

// Azure's naming rules for every azure-native resource type our components
// create, and how azure-native autonames each one.
//
// # Autonaming (azure-native v2)
//
// azure-native names a resource whose name input is left out in Check
// (provider/pkg/provider/provider.go, getDefaultName and applyDefaults, in
// pulumi/pulumi-azure-native; the strategies are resources.AutoNameKind in
// provider/pkg/resources/resources.go):
//
//   - "random", top-level resources: resource.NewUniqueName(seed, name, 8,
//     0, nil), the logical name followed by 8 random hex characters, with
//     no separator and no maximum while the name is made. The length and
//     the pattern are then checked like any other input, so an autonamed
//     Key Vault from a 17-character logical name fails the preview with
//     "'vaultName' is too long (25): at most 24 characters allowed"
//     (pulumi/pulumi-azure-native#2532, #4294).
//   - "copy", child resources (subnets, secrets, blob containers,
//     databases, deployments): the logical name unchanged.
//   - "uuid", role assignments: a random GUID (not modelled by Autonaming;
//     we always name role assignments ourselves).
//
// The name input is the resource's last path parameter under its SDK name:
// resourceGroupName, vaultName, accountName, environmentName,
// containerAppName, secretName...
//
// # Naming rules
//
// Lengths and characters come from Microsoft's resource naming rules
// (azureNameRulesDoc) and, where the REST spec carries a pattern or a length
// that azure-native itself validates at Check, the spec's own values (quoted
// in StyleAzure wording: "'vaultName' does not match expression
// '^[a-zA-Z0-9-]{3,24}$'"). Rules the REST spec does not carry (or carries
// as an ECMAScript pattern with lookarounds, which azure-native's Go regexp
// cannot compile and therefore skips) are refused by Azure Resource Manager
// at `up`; they are StyleDoc rules, quoting the documentation. Names are
// case-insensitive unless a rule says lowercase. ../shared/reference/
// cloud-name-limits.md collects the same facts with their budgets.
//
// AzureNameScope says where each name must be unique.

const (
	azureNameRulesDoc   = "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules"
	azureNativeAuto     = "pulumi/pulumi-azure-native provider/pkg/provider/provider.go getDefaultName (AutoNameRandom: NewUniqueName(seed, name, 8, 0, nil))"
	azureNativeCopy     = "pulumi/pulumi-azure-native provider/pkg/provider/provider.go getDefaultName (AutoNameCopy: the URN name)"
	psruleContainerApp  = "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.ContainerApp.Name/"
	psruleContainerEnv  = "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.ContainerApp.EnvName/"
	azurecafDefinitions = "aztfmod/terraform-provider-azurecaf resourceDefinition.json"
)

// Azure uniqueness scopes (AzureNameScope's values).
const (
	ScopeGlobal        = "global"         // part of a public DNS name
	ScopeSubscription  = "subscription"   // resource groups
	ScopeResourceGroup = "resource group" // most top-level resources
	ScopeParent        = "parent"         // child resources: unique under their parent
)

// AzureNameScope is where the name of each azure-native type we create
// must be unique (Microsoft's resource naming rules, "Scope" column).
var AzureNameScope = map[string]string{}

// azureRandom is azure-native's "random" autonaming of the input prop.
func azureRandom(prop string) *Autonaming {
	return &Autonaming{Property: prop, RandomChars: 8, Source: azureNativeAuto}
}

// azureCopy is azure-native's "copy" autonaming of the input prop.
func azureCopy(prop string) *Autonaming {
	return &Autonaming{Property: prop, Source: azureNativeCopy}
}

// azureName is one Azure type's naming: its tokens (the default-version
// token and the explicit-version tokens we register), autonaming, scope and
// rules.
type azureName struct {
	tokens   []string
	autoname *Autonaming
	scope    string
	rules    []StringRule
}

// Patterns shared by several types, from Microsoft's naming rules.
const (
	// "Alphanumerics, underscores, periods, and hyphens. Start with
	// alphanumeric. End alphanumeric or underscore." (Microsoft.Network)
	networkNamePattern = `^[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?$`
	networkNameWords   = "alphanumerics, underscores, periods and hyphens; start with an alphanumeric, end with an alphanumeric or underscore"
	guidPattern        = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
)

func azureLength(path string, min, max int, source string) StringRule {
	return StringRule{Path: path, Min: min, Max: max, Style: StyleAzure, Source: source}
}

func azureSpecPattern(path, pattern, source string) StringRule {
	return StringRule{Path: path, Pattern: regexp.MustCompile(pattern), Style: StyleAzure, Source: source}
}

func azureDocPattern(path, pattern, words, source string) StringRule {
	return StringRule{Path: path, Pattern: regexp.MustCompile(pattern), Describe: words, Style: StyleDoc, Source: source}
}

var azureNames = []azureName{
	{
		tokens:   []string{"azure-native:resources:ResourceGroup"},
		autoname: azureRandom("resourceGroupName"), scope: ScopeSubscription,
		rules: []StringRule{
			// Resources spec ResourceGroupNameParameter: minLength 1,
			// maxLength 90, pattern ^[-\w\._\(\)]+$.
			azureLength("resourceGroupName", 1, 90, "azure-rest-api-specs resources ResourceGroupNameParameter; "+azureNameRulesDoc),
			azureSpecPattern("resourceGroupName", `^[-\w\._\(\)]+$`, "azure-rest-api-specs resources ResourceGroupNameParameter"),
			azureDocPattern("resourceGroupName", `^.*[^.]$`, "cannot end with a period", azureNameRulesDoc+"#microsoftresources"),
		},
	},
	{
		tokens:   []string{"azure-native:network:VirtualNetwork"},
		autoname: azureRandom("virtualNetworkName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "virtualNetworkName", Min: 2, Max: 64, Style: StyleDoc, Describe: "2-64 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("virtualNetworkName", networkNamePattern, networkNameWords, azureNameRulesDoc+"#microsoftnetwork"),
		},
	},
	{
		tokens:   []string{"azure-native:network:Subnet"},
		autoname: azureCopy("subnetName"), scope: ScopeParent,
		rules: []StringRule{
			{Path: "subnetName", Min: 1, Max: 80, Style: StyleDoc, Describe: "1-80 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("subnetName", networkNamePattern, networkNameWords, azureNameRulesDoc+"#microsoftnetwork"),
		},
	},
	{
		tokens:   []string{"azure-native:network:NetworkSecurityGroup"},
		autoname: azureRandom("networkSecurityGroupName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "networkSecurityGroupName", Min: 1, Max: 80, Style: StyleDoc, Describe: "1-80 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("networkSecurityGroupName", networkNamePattern, networkNameWords, azureNameRulesDoc+"#microsoftnetwork"),
			// securityRules[].name: 1-80, same characters.
			{Path: "securityRules[].name", Min: 1, Max: 80, Style: StyleDoc, Describe: "1-80 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("securityRules[].name", networkNamePattern, networkNameWords, azureNameRulesDoc+"#microsoftnetwork"),
		},
	},
	{
		tokens:   []string{"azure-native:network:PrivateEndpoint"},
		autoname: azureRandom("privateEndpointName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "privateEndpointName", Min: 2, Max: 64, Style: StyleDoc, Describe: "2-64 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("privateEndpointName", networkNamePattern, networkNameWords, azureNameRulesDoc+"#microsoftnetwork"),
		},
	},
	{
		tokens:   []string{"azure-native:network:PrivateDnsZoneGroup"},
		autoname: azureCopy("privateDnsZoneGroupName"), scope: ScopeParent,
	},
	{
		// The zone's name is its DNS name (privatelink.postgres.database.azure.com):
		// we always set it; 1-63 characters per label, at most 34 labels.
		tokens: []string{"azure-native:network:PrivateZone"}, scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "privateZoneName", Min: 1, Max: 253, Style: StyleDoc, Describe: "a DNS name of at most 253 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("privateZoneName", `^([a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?\.)+[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?$`,
				"at least 2 DNS labels of letters, digits, underscores and hyphens", azureNameRulesDoc+"#microsoftnetwork"),
		},
	},
	{
		tokens:   []string{"azure-native:network:VirtualNetworkLink"},
		autoname: azureCopy("virtualNetworkLinkName"), scope: ScopeParent,
		rules: []StringRule{
			{Path: "virtualNetworkLinkName", Min: 1, Max: 80, Style: StyleDoc, Describe: "1-80 characters", Source: azureNameRulesDoc + "#microsoftnetwork"},
			azureDocPattern("virtualNetworkLinkName", networkNamePattern, networkNameWords, azureNameRulesDoc+"#microsoftnetwork"),
		},
	},
	{
		tokens:   []string{"azure-native:app:ManagedEnvironment", "azure-native:app/v20240301:ManagedEnvironment"},
		autoname: azureRandom("environmentName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "environmentName", Min: 2, Max: 60, Style: StyleDoc, Describe: "2-60 characters", Source: psruleContainerEnv},
			azureDocPattern("environmentName", `^[a-z]([a-z0-9-]*[a-z0-9])?$`,
				"lowercase letters, digits and hyphens; start with a letter, end with a letter or digit", psruleContainerEnv+"; "+azurecafDefinitions),
		},
	},
	{
		tokens:   []string{"azure-native:app:ContainerApp", "azure-native:app/v20240301:ContainerApp"},
		autoname: azureRandom("containerAppName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "containerAppName", Min: 2, Max: 32, Style: StyleDoc, Describe: "2-32 characters", Source: psruleContainerApp + "; " + azureNameRulesDoc + "#microsoftapp"},
			azureDocPattern("containerAppName", `^[a-z](-?[a-z0-9])*$`,
				"lowercase letters, digits and hyphens; start with a letter, end with a letter or digit, no '--'", psruleContainerApp),
		},
	},
	{
		tokens:   []string{"azure-native:app:ManagedCertificate", "azure-native:app/v20240301:ManagedCertificate"},
		autoname: azureCopy("managedCertificateName"), scope: ScopeParent,
	},
	{
		tokens:   []string{"azure-native:containerregistry:Registry"},
		autoname: azureRandom("registryName"), scope: ScopeGlobal,
		rules: []StringRule{
			// ContainerRegistry spec RegistryNameParameter: minLength 5,
			// maxLength 50, pattern ^[a-zA-Z0-9]*$.
			azureLength("registryName", 5, 50, "azure-rest-api-specs containerregistry RegistryNameParameter; "+azureNameRulesDoc+"#microsoftcontainerregistry"),
			azureSpecPattern("registryName", `^[a-zA-Z0-9]*$`, "azure-rest-api-specs containerregistry RegistryNameParameter"),
		},
	},
	{
		tokens:   []string{"azure-native:keyvault:Vault"},
		autoname: azureRandom("vaultName"), scope: ScopeGlobal,
		rules: []StringRule{
			// KeyVault spec vaultName: pattern ^[a-zA-Z0-9-]{3,24}$
			// (the message of pulumi/pulumi-azure-native#2532).
			azureSpecPattern("vaultName", `^[a-zA-Z0-9-]{3,24}$`, "azure-rest-api-specs keyvault vaultName; pulumi/pulumi-azure-native#2532"),
			azureDocPattern("vaultName", `^[a-zA-Z](-?[a-zA-Z0-9])*$`,
				"start with a letter, end with a letter or digit, no consecutive hyphens", azureNameRulesDoc+"#microsoftkeyvault"),
		},
	},
	{
		tokens:   []string{"azure-native:keyvault:Secret"},
		autoname: azureCopy("secretName"), scope: ScopeParent,
		rules: []StringRule{
			// KeyVault spec secretName: pattern ^[a-zA-Z0-9-]{1,127}$.
			azureSpecPattern("secretName", `^[a-zA-Z0-9-]{1,127}$`, "azure-rest-api-specs keyvault secretName; "+azureNameRulesDoc+"#microsoftkeyvault"),
		},
	},
	{
		tokens:   []string{"azure-native:storage:StorageAccount"},
		autoname: azureRandom("accountName"), scope: ScopeGlobal,
		rules: []StringRule{
			// Storage spec accountName: minLength 3, maxLength 24 (the
			// message of pulumi/pulumi-azure-native#4294).
			azureLength("accountName", 3, 24, "azure-rest-api-specs storage StorageAccountName; pulumi/pulumi-azure-native#4294"),
			azureDocPattern("accountName", `^[a-z0-9]+$`, "lowercase letters and digits only", azureNameRulesDoc+"#microsoftstorage"),
		},
	},
	{
		tokens:   []string{"azure-native:storage:BlobContainer"},
		autoname: azureCopy("containerName"), scope: ScopeParent,
		rules: []StringRule{
			azureLength("containerName", 3, 63, "azure-rest-api-specs storage ContainerName; "+azureNameRulesDoc+"#microsoftstorage"),
			azureDocPattern("containerName", `^[a-z0-9](-?[a-z0-9])*$`,
				"lowercase letters, digits and hyphens; start with a letter or digit, no consecutive hyphens", azureNameRulesDoc+"#microsoftstorage"),
		},
	},
	{
		tokens:   []string{"azure-native:managedidentity:UserAssignedIdentity"},
		autoname: azureRandom("resourceName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			{Path: "resourceName", Min: 3, Max: 128, Style: StyleDoc, Describe: "3-128 characters", Source: azureNameRulesDoc + "#microsoftmanagedidentity"},
			azureDocPattern("resourceName", `^[a-zA-Z0-9][a-zA-Z0-9_-]*$`,
				"alphanumerics, hyphens and underscores; start with a letter or digit", azureNameRulesDoc+"#microsoftmanagedidentity"),
		},
	},
	{
		tokens:   []string{"azure-native:operationalinsights:Workspace"},
		autoname: azureRandom("workspaceName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			// OperationalInsights spec workspaceName: minLength 4,
			// maxLength 63, pattern ^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$.
			azureLength("workspaceName", 4, 63, "azure-rest-api-specs operationalinsights WorkspaceNameParameter"),
			azureSpecPattern("workspaceName", `^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$`, "azure-rest-api-specs operationalinsights WorkspaceNameParameter; "+azureNameRulesDoc+"#microsoftoperationalinsights"),
		},
	},
	{
		tokens:   []string{"azure-native:dbforpostgresql/v20240801:Server", "azure-native:dbforpostgresql:Server"},
		autoname: azureRandom("serverName"), scope: ScopeGlobal,
		rules: []StringRule{
			// The spec's pattern ^[a-z0-9][-a-z0-9]*(?<!-)$ has a
			// lookbehind, which azure-native's Go regexp cannot compile and
			// skips: ARM refuses these at `up`.
			{Path: "serverName", Min: 3, Max: 63, Style: StyleDoc, Describe: "3-63 characters", Source: azureNameRulesDoc + "#microsoftdbforpostgresql"},
			azureDocPattern("serverName", `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`,
				"lowercase letters, digits and hyphens; cannot start or end with a hyphen", azureNameRulesDoc+"#microsoftdbforpostgresql"),
			// The administrator login: 1-63 characters, not a reserved
			// name such as azure_superuser, admin, root, postgres.
			{Path: "administratorLogin", Min: 1, Max: 63, Style: StyleDoc, Describe: "1-63 characters",
				Source: "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/quickstart-create-server"},
		},
	},
	{
		tokens:   []string{"azure-native:dbforpostgresql/v20240801:Database", "azure-native:dbforpostgresql:Database"},
		autoname: azureCopy("databaseName"), scope: ScopeParent,
		rules: []StringRule{
			// A PostgreSQL identifier: at most NAMEDATALEN-1 = 63 bytes.
			{Path: "databaseName", Min: 1, Max: 63, Style: StyleDoc, Describe: "1-63 characters",
				Source: "https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS"},
		},
	},
	{
		tokens:   []string{"azure-native:cache/v20250401:RedisEnterprise", "azure-native:redisenterprise:RedisEnterprise"},
		autoname: azureRandom("clusterName"), scope: ScopeGlobal,
		rules: []StringRule{
			// Azure Managed Redis: the cluster name is the first label of
			// <name>.<region>.redis.azure.net, unique across Azure. Its own
			// rule is unconfirmed (Microsoft's naming page we read has no
			// Microsoft.Cache/redisEnterprise entry); these are classic
			// Azure Cache for Redis's (azurecaf azurerm_redis_cache: 1-63,
			// ^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$, no "--", global).
			{Path: "clusterName", Min: 1, Max: 63, Style: StyleDoc, Describe: "1-63 characters", Source: azurecafDefinitions + " azurerm_redis_cache (unconfirmed for redisEnterprise)"},
			azureDocPattern("clusterName", `^[a-zA-Z0-9](-?[a-zA-Z0-9])*$`,
				"alphanumerics and hyphens; start and end with an alphanumeric, no consecutive hyphens", azurecafDefinitions+" azurerm_redis_cache; "+azureNameRulesDoc+"#microsoftcache"),
		},
	},
	{
		tokens:   []string{"azure-native:cache/v20250401:Database", "azure-native:redisenterprise:Database"},
		autoname: azureCopy("databaseName"), scope: ScopeParent,
	},
	{
		tokens:   []string{"azure-native:cognitiveservices:Account"},
		autoname: azureRandom("accountName"), scope: ScopeResourceGroup,
		rules: []StringRule{
			// CognitiveServices spec accountName: minLength 2, maxLength
			// 64, pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$.
			azureLength("accountName", 2, 64, "azure-rest-api-specs cognitiveservices accountName; "+azureNameRulesDoc+"#microsoftcognitiveservices"),
			azureSpecPattern("accountName", `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`, "azure-rest-api-specs cognitiveservices accountName"),
			// The custom subdomain is a global DNS label
			// (<sub>.openai.azure.com, <sub>.cognitiveservices.azure.com):
			// at most 63 octets (RFC 1035 section 2.3.4), although the
			// account name may have 64.
			{Path: "properties.customSubDomainName", Min: 2, Max: 63, Style: StyleDoc, Describe: "a DNS label of 2-63 characters, unique across Azure",
				Source: "https://learn.microsoft.com/en-us/azure/ai-services/cognitive-services-custom-subdomains; https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4"},
			azureDocPattern("properties.customSubDomainName", `^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`,
				"letters, digits and hyphens; start and end with a letter or digit",
				"https://learn.microsoft.com/en-us/azure/ai-services/cognitive-services-custom-subdomains"),
		},
	},
	{
		tokens:   []string{"azure-native:cognitiveservices:Deployment"},
		autoname: azureCopy("deploymentName"), scope: ScopeParent,
		rules: []StringRule{
			// Unconfirmed: the account's length (azurecaf
			// azurerm_cognitive_account, 2-64) applied to its deployments.
			{Path: "deploymentName", Min: 2, Max: 64, Style: StyleDoc, Describe: "2-64 characters", Source: azurecafDefinitions + " azurerm_cognitive_account (unconfirmed for deployments)"},
		},
	},
	{
		// Role assignments are named with a GUID (azure-native's "uuid"
		// strategy when left out); we always name them ourselves.
		tokens: []string{"azure-native:authorization:RoleAssignment"}, scope: ScopeParent,
		rules: []StringRule{
			azureDocPattern("roleAssignmentName", guidPattern, "a GUID", azureNameRulesDoc+"#microsoftauthorization"),
		},
	},
	{
		tokens:   []string{"azure-native:insights:DiagnosticSetting"},
		autoname: azureCopy("name"), scope: ScopeParent,
		rules: []StringRule{
			{Path: "name", Min: 1, Max: 260, Style: StyleDoc, Describe: "1-260 characters", Source: azureNameRulesDoc + "#microsoftinsights"},
			azureDocPattern("name", `^[^<>*%{}&:\\?+/#|]+$`, `cannot use <>*%{}&:\?+/#| or control characters`, azureNameRulesDoc+"#microsoftinsights"),
		},
	},
}

func init() {
	for _, n := range azureNames {
		for _, tok := range n.tokens {
			Register(TypeRules{Token: tok, Autoname: n.autoname, Strings: n.rules})
			AzureNameScope[tok] = n.scope
		}
	}
}
