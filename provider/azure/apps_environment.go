package azure

import (
	"fmt"
	"sort"

	apps "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/v2/utilities"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

const (
	maxEnvironmentName = 60
	maxWorkspaceName   = 63
	// consumptionProfile is the serverless workload profile every app runs
	// on (sizes up to 4 vCPU and 8 GiB, see containerAppSize).
	consumptionProfile = "Consumption"
)

// AppsEnvironmentArgs are the inputs of defang:azure:AppsEnvironment.
type AppsEnvironmentArgs struct {
	ProjectName       string             `pulumi:"projectName"`
	Mode              string             `pulumi:"mode,optional"`
	Location          string             `pulumi:"location"`
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	AppsSubnetId      pulumi.StringInput `pulumi:"appsSubnetId"`
	// ConfigNames are the config values to store in the Key Vault, and
	// Config their (secret) values.
	ConfigNames []string              `pulumi:"configNames,optional"`
	Config      pulumi.StringMapInput `pulumi:"config,optional" provider:"secret"`
}

func (a *AppsEnvironmentArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: log retention (30 days, 90 in high_availability), zone redundancy (high_availability) and the Key Vault's protections follow it.")
	an.Describe(&a.Location, "The Azure location.")
	an.Describe(&a.ResourceGroupName, "The resource group (the Network's).")
	an.Describe(&a.AppsSubnetId, "The subnet delegated to Microsoft.App/environments (the Network's appsSubnetId).")
	an.Describe(&a.ConfigNames, "Names of the config values to store as Key Vault secrets (one secret each).")
	an.Describe(&a.Config, "Config values by name (secrets). Every name in configNames must have a value, or the update fails naming the missing ones.")
}

// AppsEnvironment is defang:azure:AppsEnvironment: what a project's Container
// Apps share.
type AppsEnvironment struct {
	pulumi.ResourceState

	EnvironmentId       pulumi.StringOutput    `pulumi:"environmentId"`
	EnvironmentName     pulumi.StringOutput    `pulumi:"environmentName"`
	DefaultDomain       pulumi.StringOutput    `pulumi:"defaultDomain"`
	StaticIp            pulumi.StringOutput    `pulumi:"staticIp"`
	WorkspaceId         pulumi.StringOutput    `pulumi:"workspaceId"`
	VaultId             pulumi.StringOutput    `pulumi:"vaultId"`
	VaultName           pulumi.StringOutput    `pulumi:"vaultName"`
	VaultUri            pulumi.StringOutput    `pulumi:"vaultUri"`
	IdentityId          pulumi.StringOutput    `pulumi:"identityId"`
	IdentityClientId    pulumi.StringOutput    `pulumi:"identityClientId"`
	IdentityPrincipalId pulumi.StringOutput    `pulumi:"identityPrincipalId"`
	ConfigSecretUris    pulumi.StringMapOutput `pulumi:"configSecretUris"`

	// CustomDomainVerificationId is the value of custom domains' asuid TXT
	// records.
	CustomDomainVerificationId pulumi.StringOutput `pulumi:"customDomainVerificationId"`
}

func (e *AppsEnvironment) Annotate(a infer.Annotator) {
	a.SetToken("azure", "AppsEnvironment")
	a.Describe(&e, "The shared home of a project's Container Apps: a Log Analytics workspace (retention per mode) fed by the environment's diagnostic setting, a Container Apps environment on the Consumption workload profile, integrated in the VNet's apps subnet (zone redundant in high_availability), a Key Vault with RBAC authorization holding the config values, and the user-assigned identity through which apps read those secrets (Key Vault Secrets User on the vault) and pull images.")
	a.Describe(&e.EnvironmentId, "The Container Apps environment id, for each ContainerApp.")
	a.Describe(&e.EnvironmentName, "The Container Apps environment name.")
	a.Describe(&e.DefaultDomain, "The environment's default domain: apps are <app>.<defaultDomain> (external) or <app>.internal.<defaultDomain> (internal).")
	a.Describe(&e.StaticIp, "The environment's static IP (the target of custom domain A records).")
	a.Describe(&e.CustomDomainVerificationId, "The custom domain verification id: the value of the TXT record asuid.<host> that Azure checks before a ContainerApp serves a custom domain (a ContainerApp's customDomainVerificationId).")
	a.Describe(&e.WorkspaceId, "The Log Analytics workspace id.")
	a.Describe(&e.VaultId, "The Key Vault id.")
	a.Describe(&e.VaultName, "The Key Vault name (3-24 characters).")
	a.Describe(&e.VaultUri, "The Key Vault URI.")
	a.Describe(&e.IdentityId, "The user-assigned identity id, for each ContainerApp's identityId. It resolves once the identity may read the vault's secrets.")
	a.Describe(&e.IdentityClientId, "The user-assigned identity's client id.")
	a.Describe(&e.IdentityPrincipalId, "The user-assigned identity's principal id (grant it AcrPull on a registry to pull from it).")
	a.Describe(&e.ConfigSecretUris, "Config name to the versioned URI of its Key Vault secret, for ContainerApp secrets.")
}

// NewAppsEnvironment creates the workspace, the environment, the identity
// and the Key Vault with the config values.
func NewAppsEnvironment(ctx *pulumi.Context, name string, args AppsEnvironmentArgs, opts ...pulumi.ResourceOption) (*AppsEnvironment, error) {
	comp := &AppsEnvironment{}
	if err := ctx.RegisterComponentResource("defang:azure:AppsEnvironment", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	if args.Location == "" || args.ResourceGroupName == nil || args.AppsSubnetId == nil {
		return nil, fmt.Errorf("apps environment %s: location, resourceGroupName and appsSubnetId are required", name)
	}
	if len(args.ConfigNames) > 0 && args.Config == nil {
		return nil, fmt.Errorf("apps environment %s: configNames %v have no values: pass config", name, args.ConfigNames)
	}
	settings := settingsFor(m)
	parent := pulumi.Parent(comp)
	location := pulumi.String(args.Location)
	stack := ctx.Stack()

	workspace, err := operationalinsights.NewWorkspace(ctx, name, &operationalinsights.WorkspaceArgs{
		ResourceGroupName: args.ResourceGroupName,
		Location:          location,
		WorkspaceName:     pulumi.String(named(ctx, tokenWorkspace, dashedName(maxWorkspaceName, args.ProjectName, stack, "logs"), withMin(dashedRule(maxWorkspaceName), 4))),
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(settings.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}

	env, err := apps.NewManagedEnvironment(ctx, name, &apps.ManagedEnvironmentArgs{
		ResourceGroupName: args.ResourceGroupName,
		Location:          location,
		EnvironmentName:   pulumi.String(named(ctx, tokenEnvironment, dashedName(maxEnvironmentName, args.ProjectName, stack), withMin(dashedRule(maxEnvironmentName), 2))),
		// Logs go to Azure Monitor, and the diagnostic setting below sends
		// them to the workspace: no workspace shared key in the state.
		AppLogsConfiguration: &apps.AppLogsConfigurationArgs{Destination: pulumi.String("azure-monitor")},
		VnetConfiguration: &apps.VnetConfigurationArgs{
			InfrastructureSubnetId: args.AppsSubnetId,
			Internal:               pulumi.Bool(false), // external ingress is served; internal apps stay internal
		},
		WorkloadProfiles: apps.WorkloadProfileArray{&apps.WorkloadProfileArgs{
			Name: pulumi.String(consumptionProfile), WorkloadProfileType: pulumi.String(consumptionProfile),
		}},
		ZoneRedundant: pulumi.Bool(settings.ZoneRedundant),
		// Named, so that the default ME_{environment}_{group}_{location}
		// cannot overflow the 90 characters of a group name.
		InfrastructureResourceGroup: pulumi.String(dashedName(maxResourceGroupName, "defang", args.ProjectName, stack, args.Location, "infra")),
	}, parent)
	if err != nil {
		return nil, err
	}
	if err := newDiagnosticSetting(ctx, name, env.ID().ToStringOutput(), workspace.ID().ToStringOutput(), parent); err != nil {
		return nil, err
	}

	identity, err := NewAppIdentity(ctx, name, args.ProjectName, args.Location, args.ResourceGroupName, parent)
	if err != nil {
		return nil, err
	}
	vault, err := NewKeyVault(ctx, name, KeyVaultArgs{
		ProjectName: args.ProjectName, Mode: m, Location: args.Location,
		ResourceGroupName: args.ResourceGroupName, TenantId: identity.TenantId, UniqueSeed: identity.PrincipalId,
	}, parent)
	if err != nil {
		return nil, err
	}
	grant, err := GrantRole(ctx, name+"-secrets", RoleGrantArgs{
		PrincipalId: identity.PrincipalId, Scope: vault.ID().ToStringOutput(), Role: RoleKeyVaultSecretsUser,
	}, parent)
	if err != nil {
		return nil, err
	}

	uris := pulumi.StringMap{}
	names := append([]string(nil), args.ConfigNames...)
	sort.Strings(names)
	for i, key := range names {
		if i > 0 && names[i-1] == key {
			continue
		}
		secret, err := NewVaultSecret(ctx, name+"-config-"+key, VaultSecretArgs{
			ResourceGroupName: args.ResourceGroupName, VaultName: vault.Name,
			SecretName: VaultSecretName("config", key), Value: configValue(args.Config, key),
		}, parent)
		if err != nil {
			return nil, err
		}
		uris[key] = secret.Uri
	}

	comp.EnvironmentId = env.ID().ToStringOutput()
	comp.EnvironmentName = env.Name
	comp.DefaultDomain = env.DefaultDomain
	comp.StaticIp = env.StaticIp
	comp.CustomDomainVerificationId = env.CustomDomainConfiguration.CustomDomainVerificationId().ApplyT(func(id *string) string {
		if id == nil {
			return ""
		}
		return *id
	}).(pulumi.StringOutput)
	comp.WorkspaceId = workspace.ID().ToStringOutput()
	comp.VaultId = vault.ID().ToStringOutput()
	comp.VaultName = vault.Name
	comp.VaultUri = vault.Properties.VaultUri()
	// Apps that use the identity must not start before it may read the
	// vault: the id resolves after the role assignment exists.
	comp.IdentityId = pulumi.All(identity.ID(), grant.ID()).ApplyT(func(v []any) string {
		return string(v[0].(pulumi.ID))
	}).(pulumi.StringOutput)
	comp.IdentityClientId = identity.ClientId
	comp.IdentityPrincipalId = identity.PrincipalId
	comp.ConfigSecretUris = uris.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

// configValue is config[key], secret; a missing key fails the update.
func configValue(config pulumi.StringMapInput, key string) pulumi.StringOutput {
	return pulumi.ToSecret(config.ToStringMapOutput().ApplyT(func(values map[string]string) (string, error) {
		v, ok := values[key]
		if !ok {
			return "", fmt.Errorf("config value %s is not set", key)
		}
		return v, nil
	})).(pulumi.StringOutput)
}

// diagnosticSetting is azure-native:insights:DiagnosticSetting, registered by
// its type token: the insights Go module of the azure-native SDK is not among
// the modules this provider pins (DESIGN.md section 8).
type diagnosticSetting struct {
	pulumi.CustomResourceState
}

// diagnosticSettingArgs are the inputs we set of a diagnostic setting.
type diagnosticSettingArgs struct {
	Name                        string
	ResourceURI                 pulumi.StringInput
	WorkspaceID                 pulumi.StringInput
	LogAnalyticsDestinationType string
	LogCategoryGroups           []string
	MetricCategories            []string
}

func (a diagnosticSettingArgs) toMap() pulumi.Map {
	logs := pulumi.Array{}
	for _, g := range a.LogCategoryGroups {
		logs = append(logs, pulumi.Map{"categoryGroup": pulumi.String(g), "enabled": pulumi.Bool(true)})
	}
	metrics := pulumi.Array{}
	for _, c := range a.MetricCategories {
		metrics = append(metrics, pulumi.Map{"category": pulumi.String(c), "enabled": pulumi.Bool(true)})
	}
	return pulumi.Map{
		"name":                        pulumi.String(a.Name),
		"resourceUri":                 a.ResourceURI,
		"workspaceId":                 a.WorkspaceID,
		"logAnalyticsDestinationType": pulumi.String(a.LogAnalyticsDestinationType),
		"logs":                        logs,
		"metrics":                     metrics,
	}
}

// newDiagnosticSetting sends every log and metric of the environment to the
// workspace, in resource-specific tables (ContainerAppConsoleLogs,
// ContainerAppSystemLogs).
func newDiagnosticSetting(ctx *pulumi.Context, name string, envID, workspaceID pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	args := diagnosticSettingArgs{
		Name: "defang-logs", ResourceURI: envID, WorkspaceID: workspaceID,
		LogAnalyticsDestinationType: "Dedicated",
		LogCategoryGroups:           []string{"allLogs"},
		MetricCategories:            []string{"AllMetrics"},
	}
	var res diagnosticSetting
	return ctx.RegisterResource("azure-native:insights:DiagnosticSetting", name, args.toMap(), &res,
		utilities.PkgResourceDefaultOpts(opts)...)
}
