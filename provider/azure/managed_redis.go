package azure

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/v2/utilities"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Azure Managed Redis for x-defang-redis.
//
// # Type tokens
//
// The azure-native Go module that holds Redis Enterprise cannot be had here,
// so the cluster and its database are registered by type token with our own
// typed arguments. The provider is azure-native v2.92.0 (the version every
// azure-native SDK module of go.mod registers with, see nativeOpts). In v2,
// Microsoft.Cache/redisEnterprise lives in the `cache` module (the
// `redisenterprise` module, azure-native:redisenterprise:RedisEnterprise,
// exists from v3 on), whose default API, 2023-03-01-preview, predates Azure
// Managed Redis: it knows neither the Balanced_* SKUs nor highAvailability
// nor accessKeysAuthentication. So the explicit 2025-04-01 API (the first
// stable one with all three) is used:
//
//	azure-native:cache/v20250401:RedisEnterprise     the cluster
//	azure-native:cache/v20250401:Database            its database ("default", the only name AMR allows)
//	azure-native:cache/v20250401:listDatabaseKeys    the database's access keys
//
// Moving to azure-native v3 is a change of these three tokens to
// azure-native:redisenterprise:{RedisEnterprise,Database,listDatabaseKeys}
// (with the v3 aliases), the property names being the same.
//
// # Shape
//
//   - Cluster: SKU per mode (settingsFor: Balanced_B0, Balanced_B5 in
//     high_availability), highAvailability Enabled only in
//     high_availability (a replica in another zone; Disabled keeps one copy
//     of the data), minimum TLS 1.2.
//   - Database: clientProtocol Encrypted (TLS only), port 10000 (AMR's
//     port), clusteringPolicy EnterpriseCluster: one endpoint that any Redis
//     client can use (OSSCluster would need cluster-aware clients, which
//     compose apps written against a single redis container are not),
//     evictionPolicy NoEviction (the redis image's default: a full cache
//     refuses writes instead of dropping keys a queue still needs), AOF
//     persistence every second in high_availability.
//   - Authentication: AMR always authenticates, with an access key or a
//     Microsoft Entra token; there is no open mode like the redis image's.
//     Compose apps cannot fetch Entra tokens, so access keys are Enabled and
//     the primary key is read with listDatabaseKeys and handed to the
//     Project as a secret (AccessKey, Go only), to store in Key Vault and
//     put in the rewritten URL: rediss://:<key>@<host>:10000.
//   - Network: a private endpoint (group redisEnterprise) in the private
//     endpoints subnet, registered in the given private DNS zone
//     (privatelink.redis.azure.net for AMR), so that <host> resolves to the
//     private address inside the VNet. The 2025-04-01 API has no
//     publicNetworkAccess switch (it arrives with 2025-07-01, beyond v2):
//     the public endpoint stays TLS- and key-protected, and nothing here
//     adds an access policy or firewall rule to it.

// Redis Enterprise type tokens (see above).
const (
	redisClusterType  = "azure-native:cache/v20250401:RedisEnterprise"
	redisDatabaseType = "azure-native:cache/v20250401:Database"
	redisListKeys     = "azure-native:cache/v20250401:listDatabaseKeys"
)

// RedisPort is the port of every Azure Managed Redis database.
const RedisPort = 10000

// redisDatabaseName is the only database name Azure Managed Redis accepts.
const redisDatabaseName = "default"

// maxPrivateEndpointName bounds private endpoint names.
const maxPrivateEndpointName = 80

// ManagedRedisArgs are the inputs of defang:azure:ManagedRedis.
type ManagedRedisArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`

	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          string             `pulumi:"location,optional"`
	EndpointSubnetId  pulumi.StringInput `pulumi:"endpointSubnetId"`
	PrivateDnsZoneId  pulumi.StringInput `pulumi:"privateDnsZoneId"`
}

func (a *ManagedRedisArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.ServiceName, "The compose service the cache replaces, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: SKU, high availability and persistence follow it.")
	an.Describe(&a.ResourceGroupName, "The resource group of the cache.")
	an.Describe(&a.Location, "The Azure region; default the resource group's.")
	an.Describe(&a.EndpointSubnetId, "The subnet of the cache's private endpoint.")
	an.Describe(&a.PrivateDnsZoneId, "The private DNS zone privatelink.redis.azure.net, linked to the VNet.")
}

// ManagedRedis is defang:azure:ManagedRedis.
type ManagedRedis struct {
	pulumi.ResourceState

	Host        pulumi.StringOutput `pulumi:"host"`
	Port        pulumi.IntOutput    `pulumi:"port"`
	Tls         pulumi.BoolOutput   `pulumi:"tls"`
	ClusterName pulumi.StringOutput `pulumi:"clusterName"`

	accessKey pulumi.StringOutput
}

// AccessKey is the database's primary access key, secret: for the Project
// to store in Key Vault and use as the Redis password. It is not an output
// of the component.
func (r *ManagedRedis) AccessKey() pulumi.StringOutput { return r.accessKey }

func (r *ManagedRedis) Annotate(a infer.Annotator) {
	a.SetToken("azure", "ManagedRedis")
	a.Describe(&r, "A compose service with x-defang-redis as Azure Managed Redis: one TLS-only database on port 10000 behind a private endpoint, sized per mode (high availability in high_availability).")
	a.Describe(&r.Host, "The cache's host name, resolving to the private endpoint inside the VNet.")
	a.Describe(&r.Port, "The database's port (10000).")
	a.Describe(&r.Tls, "Clients must connect with TLS (rediss://): always true.")
	a.Describe(&r.ClusterName, "The Redis Enterprise cluster's name.")
}

// redisCluster is the azure-native RedisEnterprise resource: the outputs we
// read.
type redisCluster struct {
	pulumi.CustomResourceState

	Name     pulumi.StringOutput `pulumi:"name"`
	HostName pulumi.StringOutput `pulumi:"hostName"`
}

// redisClusterArgs are its inputs.
type redisClusterArgs struct {
	ClusterName       string
	ResourceGroupName pulumi.StringInput
	Location          string
	Sku               string
	HighAvailability  bool
	MinimumTlsVersion string
}

func (a redisClusterArgs) inputs() pulumi.Map {
	in := pulumi.Map{
		"clusterName":       pulumi.String(a.ClusterName),
		"resourceGroupName": a.ResourceGroupName,
		"sku":               pulumi.Map{"name": pulumi.String(a.Sku)},
		"highAvailability":  pulumi.String(enabled(a.HighAvailability)),
		"minimumTlsVersion": pulumi.String(a.MinimumTlsVersion),
	}
	if a.Location != "" {
		in["location"] = pulumi.String(a.Location)
	}
	return in
}

// redisDatabase is the azure-native Database resource of a cluster.
type redisDatabase struct {
	pulumi.CustomResourceState

	Name pulumi.StringOutput `pulumi:"name"`
	Port pulumi.IntOutput    `pulumi:"port"`
}

// redisDatabaseArgs are its inputs.
type redisDatabaseArgs struct {
	ClusterName              pulumi.StringInput
	ResourceGroupName        pulumi.StringInput
	ClientProtocol           string
	ClusteringPolicy         string
	EvictionPolicy           string
	Port                     int
	AccessKeysAuthentication bool
	// AofEverySecond turns on append-only-file persistence, fsync'd every
	// second.
	AofEverySecond bool
}

func (a redisDatabaseArgs) inputs() pulumi.Map {
	in := pulumi.Map{
		"databaseName":             pulumi.String(redisDatabaseName),
		"clusterName":              a.ClusterName,
		"resourceGroupName":        a.ResourceGroupName,
		"clientProtocol":           pulumi.String(a.ClientProtocol),
		"clusteringPolicy":         pulumi.String(a.ClusteringPolicy),
		"evictionPolicy":           pulumi.String(a.EvictionPolicy),
		"port":                     pulumi.Int(a.Port),
		"accessKeysAuthentication": pulumi.String(enabled(a.AccessKeysAuthentication)),
	}
	if a.AofEverySecond {
		in["persistence"] = pulumi.Map{"aofEnabled": pulumi.Bool(true), "aofFrequency": pulumi.String("1s")}
	}
	return in
}

func enabled(b bool) string {
	if b {
		return "Enabled"
	}
	return "Disabled"
}

// nativeOpts are the options of a resource or function registered by token:
// the azure-native plugin version every azure-native SDK module of go.mod
// uses (2.92.0), so that all of them share one provider.
func nativeOpts(opts ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return utilities.PkgResourceDefaultOpts(opts)
}

// nativeInvoke calls the azure-native function tok with args under parent
// and returns its result. Its args may hold Outputs: the call waits for them
// (and is skipped, giving an unknown result, while they are unknown).
func nativeInvoke(ctx *pulumi.Context, tok string, args pulumi.Map, opts ...pulumi.InvokeOption) pulumi.MapOutput {
	return ctx.InvokeOutput(tok, args, pulumi.MapOutput{}, pulumi.InvokeOutputOptions{
		InvokeOptions: utilities.PkgInvokeDefaultOpts(opts),
	}).(pulumi.MapOutput)
}

// secretField is the string field key of an invoke result, as a secret.
func secretField(result pulumi.MapOutput, key string) pulumi.StringOutput {
	return pulumi.ToSecret(result.ApplyT(func(m map[string]any) (string, error) {
		v, ok := m[key].(string)
		if !ok || v == "" {
			return "", fmt.Errorf("the azure-native function returned no %s", key)
		}
		return v, nil
	})).(pulumi.StringOutput)
}

// NewManagedRedis creates an Azure Managed Redis cache.
func NewManagedRedis(ctx *pulumi.Context, name string, args ManagedRedisArgs, opts ...pulumi.ResourceOption) (*ManagedRedis, error) {
	comp := &ManagedRedis{}
	if err := ctx.RegisterComponentResource("defang:azure:ManagedRedis", name, comp, opts...); err != nil {
		return nil, err
	}
	if args.ProjectName == "" || args.ServiceName == "" {
		return nil, fmt.Errorf("managed Redis %q: projectName and serviceName are required", name)
	}
	if args.ResourceGroupName == nil || args.EndpointSubnetId == nil || args.PrivateDnsZoneId == nil {
		return nil, fmt.Errorf("service %q: resourceGroupName, endpointSubnetId and privateDnsZoneId are required", args.ServiceName)
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", args.ServiceName, err)
	}
	s := settingsFor(m)
	parent := pulumi.Parent(comp)

	suffix, err := globalSuffix(ctx, comp, args.Location)
	if err != nil {
		return nil, err
	}
	clusterName := named(ctx, tokenRedisEnterprise, dashedName(maxRedisName, args.ProjectName, ctx.Stack(), args.ServiceName, suffix), dashedRule(maxRedisName))
	cluster := &redisCluster{}
	if err := ctx.RegisterResource(redisClusterType, name, redisClusterArgs{
		ClusterName:       clusterName,
		ResourceGroupName: args.ResourceGroupName,
		Location:          args.Location,
		Sku:               s.RedisSku,
		HighAvailability:  s.RedisHA,
		MinimumTlsVersion: "1.2",
	}.inputs(), cluster, nativeOpts(parent)...); err != nil {
		return nil, err
	}
	db := &redisDatabase{}
	if err := ctx.RegisterResource(redisDatabaseType, name, redisDatabaseArgs{
		ClusterName:              cluster.Name,
		ResourceGroupName:        args.ResourceGroupName,
		ClientProtocol:           "Encrypted",
		ClusteringPolicy:         "EnterpriseCluster",
		EvictionPolicy:           "NoEviction",
		Port:                     RedisPort,
		AccessKeysAuthentication: true,
		AofEverySecond:           s.RedisHA,
	}.inputs(), db, nativeOpts(parent)...); err != nil {
		return nil, err
	}

	peArgs := &network.PrivateEndpointArgs{
		PrivateEndpointName: pulumi.String(dashedName(maxPrivateEndpointName, clusterName, "pe")),
		ResourceGroupName:   args.ResourceGroupName,
		Subnet:              &network.SubnetTypeArgs{Id: args.EndpointSubnetId.ToStringOutput().ToStringPtrOutput()},
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{&network.PrivateLinkServiceConnectionArgs{
			Name:                 pulumi.String(clusterName),
			PrivateLinkServiceId: cluster.ID().ToStringOutput().ToStringPtrOutput(),
			GroupIds:             pulumi.StringArray{pulumi.String("redisEnterprise")},
		}},
	}
	if args.Location != "" {
		peArgs.Location = pulumi.String(args.Location)
	}
	pe, err := network.NewPrivateEndpoint(ctx, name, peArgs, parent)
	if err != nil {
		return nil, err
	}
	if _, err := network.NewPrivateDnsZoneGroup(ctx, name, &network.PrivateDnsZoneGroupArgs{
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateEndpointName:     pe.Name,
		ResourceGroupName:       args.ResourceGroupName,
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{&network.PrivateDnsZoneConfigArgs{
			Name:             pulumi.String("redis"),
			PrivateDnsZoneId: args.PrivateDnsZoneId.ToStringOutput().ToStringPtrOutput(),
		}},
	}, parent); err != nil {
		return nil, err
	}

	keys := nativeInvoke(ctx, redisListKeys, pulumi.Map{
		"clusterName":       cluster.Name,
		"databaseName":      pulumi.String(redisDatabaseName),
		"resourceGroupName": args.ResourceGroupName,
	}, parent, pulumi.DependsOn([]pulumi.Resource{db}))

	comp.Host = cluster.HostName
	comp.Port = db.Port
	comp.Tls = pulumi.Bool(true).ToBoolOutput()
	comp.ClusterName = cluster.Name
	comp.accessKey = secretField(keys, "primaryKey")
	return comp, outputs.Register(ctx, comp)
}
