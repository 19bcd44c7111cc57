package azure

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/v2/utilities"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Built-in Azure role definition ids (the same in every tenant).
const (
	// RoleKeyVaultSecretsUser reads secret values of a vault with RBAC
	// authorization.
	RoleKeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6"
	// RoleAcrPull pulls images from a container registry.
	RoleAcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
	// RoleStorageBlobDataContributor reads, writes and deletes blobs.
	RoleStorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	// RoleStorageBlobDelegator gets the user delegation key that signs a
	// user delegation SAS (granted at account level only).
	RoleStorageBlobDelegator = "db58b8e5-c6ad-4a2a-8342-4190687cbf4a"
)

const (
	maxIdentityName    = 128
	maxVaultSecretName = 127 // 1-127: letters, digits and hyphens
	// Soft-deleted vaults keep their (global) name for the retention period:
	// the shortest Azure allows outside high_availability, so that a
	// destroyed stack frees its name soon; the longest in high_availability.
	softDeleteDaysDefault = 7
	softDeleteDaysHA      = 90
)

// NewAppIdentity creates the user-assigned managed identity that a project's
// Container Apps use to read their Key Vault secrets and pull their images.
func NewAppIdentity(ctx *pulumi.Context, name, project, location string, group pulumi.StringInput, opts ...pulumi.ResourceOption) (*managedidentity.UserAssignedIdentity, error) {
	return managedidentity.NewUserAssignedIdentity(ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: group,
		Location:          pulumi.String(location),
		ResourceName:      pulumi.String(named(ctx, tokenIdentity, dashedName(maxIdentityName, project, ctx.Stack(), "apps"), withMin(dashedRule(maxIdentityName), 3))),
	}, opts...)
}

// KeyVaultArgs are the inputs of NewKeyVault.
type KeyVaultArgs struct {
	ProjectName       string
	Mode              mode.Mode
	Location          string
	ResourceGroupName pulumi.StringInput
	// TenantId is the Entra tenant of the vault (a managed identity's
	// tenantId output saves an invoke).
	TenantId pulumi.StringInput
	// UniqueSeed makes the globally unique vault name unique: hash input
	// that differs between subscriptions and between successive creations of
	// the same stack (the principalId of the project's managed identity,
	// which Azure assigns afresh when the identity is created).
	UniqueSeed pulumi.StringInput
}

// KeyVaultName is the name of a project's Key Vault: "kv-{project}" cut to
// fit, then a hash of seed; 3-24 letters, digits and single hyphens,
// starting with a letter and ending with a letter or digit.
func KeyVaultName(project, seed string) string {
	suffix := hashSuffix(seed, 8)
	return dashedName(maxKeyVaultName-len(suffix)-1, "kv", project) + "-" + suffix
}

// NewKeyVault creates a project's Key Vault: standard SKU, RBAC
// authorization (no access policies), soft delete (7 days, 90 in
// high_availability) and purge protection in high_availability. Its name is
// KeyVaultName(project, seed).
func NewKeyVault(ctx *pulumi.Context, name string, args KeyVaultArgs, opts ...pulumi.ResourceOption) (*keyvault.Vault, error) {
	if args.TenantId == nil || args.UniqueSeed == nil || args.ResourceGroupName == nil {
		return nil, fmt.Errorf("key vault %s: tenantId, uniqueSeed and resourceGroupName are required", name)
	}
	ha := args.Mode == mode.HighAvailability
	props := &keyvault.VaultPropertiesArgs{
		TenantId:                  args.TenantId,
		Sku:                       &keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
		EnableRbacAuthorization:   pulumi.Bool(true),
		EnableSoftDelete:          pulumi.Bool(true),
		SoftDeleteRetentionInDays: pulumi.Int(softDeleteDaysDefault),
		// Container Apps fetch secrets through the public endpoint with
		// the identity's token; RBAC decides who reads what.
		PublicNetworkAccess: pulumi.String("Enabled"),
	}
	if ha {
		props.SoftDeleteRetentionInDays = pulumi.Int(softDeleteDaysHA)
		// Purge protection cannot be turned off again, and Azure rejects
		// an explicit false on a vault that has it: set only when on.
		props.EnablePurgeProtection = pulumi.Bool(true)
	}
	project := args.ProjectName
	return keyvault.NewVault(ctx, name, &keyvault.VaultArgs{
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(args.Location),
		VaultName: args.UniqueSeed.ToStringOutput().ApplyT(func(seed string) string {
			return KeyVaultName(project, seed)
		}).(pulumi.StringOutput),
		Properties: props,
	}, opts...)
}

// VaultSecretName is a Key Vault secret name for parts (e.g. "config",
// "API_KEY"): lowercase letters, digits and hyphens, and a hash of the parts
// as given, so that names that differ only in case or punctuation (Key
// Vault names ignore case) stay distinct.
func VaultSecretName(parts ...string) string {
	suffix := hashSuffix(strings.Join(parts, "\x00"), 8)
	return dashedName(maxVaultSecretName-len(suffix)-1, parts...) + "-" + suffix
}

// VaultSecretArgs are the inputs of NewVaultSecret.
type VaultSecretArgs struct {
	ResourceGroupName pulumi.StringInput
	VaultName         pulumi.StringInput
	// SecretName is the base of the name in the vault (see
	// VaultSecretName): NewVaultSecret appends a RandomId.
	SecretName string
	// Value is stored as a secret; it is marked secret here whatever the
	// caller passed, so it never shows in plain text in the state.
	Value pulumi.StringInput
}

// VaultSecret is a Key Vault secret and the URIs Container Apps reference it
// by.
type VaultSecret struct {
	Secret *keyvault.Secret
	// Uri names the current version: an app that references it gets a new
	// revision when the value changes, so it reads the new value at once.
	Uri pulumi.StringOutput
	// VersionlessUri always names the latest version (Container Apps
	// refresh such references within 30 minutes).
	VersionlessUri pulumi.StringOutput
}

// incarnationBytes is the size of the RandomId that ends a vault secret's
// name: 8 hex characters.
const incarnationBytes = 4

// NewVaultSecret stores one value in a vault, under args.SecretName and a
// RandomId of its own.
//
// Why the RandomId: a deleted secret stays soft-deleted for the vault's
// retention (7 days, 90 in high_availability, where purge protection also
// forbids purging it), and Key Vault refuses to create a secret of that
// name meanwhile (409 Conflict, "Secret ... is currently in a deleted but
// recoverable state",
// https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview);
// azure-native deletes without purging and does not recover
// (https://github.com/pulumi/pulumi-azure-native/issues/1174). A config key
// removed and later added back would get the same fixed name and fail. The
// RandomId lives and dies with the secret: kept in state, it gives the same
// name on every up; created again with the secret, it gives a new name.
func NewVaultSecret(ctx *pulumi.Context, name string, args VaultSecretArgs, opts ...pulumi.ResourceOption) (*VaultSecret, error) {
	if args.Value == nil || args.VaultName == nil || args.ResourceGroupName == nil || args.SecretName == "" {
		return nil, fmt.Errorf("vault secret %s: resourceGroupName, vaultName, secretName and value are required", name)
	}
	incarnation, err := random.NewRandomId(ctx, name, &random.RandomIdArgs{
		ByteLength: pulumi.Int(incarnationBytes),
		// A new base name is a new secret (secretName replaces it), with
		// a new RandomId.
		Keepers: pulumi.StringMap{"secretName": pulumi.String(args.SecretName)},
	}, opts...)
	if err != nil {
		return nil, err
	}
	base := args.SecretName
	if limit := maxVaultSecretName - 2*incarnationBytes - 1; len(base) > limit {
		base = strings.TrimRight(base[:limit], "-")
	}
	secret, err := keyvault.NewSecret(ctx, name, &keyvault.SecretArgs{
		ResourceGroupName: args.ResourceGroupName,
		VaultName:         args.VaultName,
		SecretName:        pulumi.Sprintf("%s-%s", base, incarnation.Hex),
		Properties: &keyvault.SecretPropertiesArgs{
			Value: pulumi.ToSecret(args.Value.ToStringOutput()).(pulumi.StringOutput),
		},
	}, opts...)
	if err != nil {
		return nil, err
	}
	// The engine marks the whole properties output secret because its
	// value input is; the URIs hold no part of the value and stay plain, so
	// that what references them (a Container App) is not hidden entirely.
	return &VaultSecret{
		Secret:         secret,
		Uri:            pulumi.Unsecret(secret.Properties.SecretUriWithVersion()).(pulumi.StringOutput),
		VersionlessUri: pulumi.Unsecret(secret.Properties.SecretUri()).(pulumi.StringOutput),
	}, nil
}

// RoleGrantArgs are the inputs of GrantRole.
type RoleGrantArgs struct {
	// PrincipalId is the service principal (e.g. a managed identity's
	// principalId) that gets the role.
	PrincipalId pulumi.StringInput
	// Scope is the ARM id of the resource the role applies to.
	Scope pulumi.StringInput
	// Role is a built-in role definition id (RoleKeyVaultSecretsUser,
	// RoleAcrPull...).
	Role string
}

// GrantRole assigns a built-in role to a service principal on one resource.
// The assignment's name is a GUID derived from scope, principal and role,
// so the same grant always has the same name.
func GrantRole(ctx *pulumi.Context, name string, args RoleGrantArgs, opts ...pulumi.ResourceOption) (*authorization.RoleAssignment, error) {
	if args.PrincipalId == nil || args.Scope == nil || args.Role == "" {
		return nil, fmt.Errorf("role grant %s: principalId, scope and role are required", name)
	}
	role := args.Role
	scope := args.Scope.ToStringOutput()
	return authorization.NewRoleAssignment(ctx, name, &authorization.RoleAssignmentArgs{
		PrincipalId:   args.PrincipalId,
		PrincipalType: pulumi.String("ServicePrincipal"),
		Scope:         scope,
		// The definition lives in the subscription of the scope.
		RoleDefinitionId: scope.ApplyT(func(s string) string {
			return subscriptionOf(s) + "/providers/Microsoft.Authorization/roleDefinitions/" + role
		}).(pulumi.StringOutput),
		RoleAssignmentName: pulumi.All(scope, args.PrincipalId).ApplyT(func(v []any) string {
			return stableGUID(v[0].(string), v[1].(string), role)
		}).(pulumi.StringOutput),
	}, opts...)
}

// roleAssignment is a RoleAssignment registered by type token (see
// grantDeployerRole).
type roleAssignment struct {
	pulumi.CustomResourceState
}

// grantDeployerRole assigns a built-in role on one resource to the identity
// Pulumi runs as, which may be a user or a service principal. ARM looks the
// type up when the assignment names none, and refuses one that does not
// match (UnmatchedPrincipalType); the azure-native Go SDK's RoleAssignment
// always sends one ("User" by default), so this one is registered by type
// token with principalType left out.
func grantDeployerRole(ctx *pulumi.Context, name string, principalID string, scope pulumi.StringOutput, role string,
	opts ...pulumi.ResourceOption,
) (pulumi.Resource, error) {
	var res roleAssignment
	err := ctx.RegisterResource("azure-native:authorization:RoleAssignment", name, pulumi.Map{
		"principalId": pulumi.String(principalID),
		"scope":       scope,
		"roleDefinitionId": scope.ApplyT(func(s string) string {
			return subscriptionOf(s) + "/providers/Microsoft.Authorization/roleDefinitions/" + role
		}).(pulumi.StringOutput),
		"roleAssignmentName": scope.ApplyT(func(s string) string {
			return stableGUID(s, principalID, role)
		}).(pulumi.StringOutput),
	}, &res, utilities.PkgResourceDefaultOpts(opts)...)
	return &res, err
}

// subscriptionOf returns "/subscriptions/<id>" of an ARM resource id.
func subscriptionOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return "/subscriptions/" + parts[1]
	}
	return ""
}

// stableGUID is a version-5-shaped GUID of parts.
func stableGUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := sum[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
