package aws

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
)

const redisDefaultPort = 6379

// redisEngineVersions are the ElastiCache engine versions a compose major
// version maps to, per engine; "" is the default when the tag names none.
// ElastiCache wants major.minor from Redis 7 on, and uses the engine's
// default parameter group of that family (default.redis7,
// default.valkey8...), which runs with cluster mode off.
var redisEngineVersions = map[string]map[string]string{
	"redis":  {"": "7.1", "6": "6.2", "7": "7.1"},
	"valkey": {"": "8.0", "7": "7.2", "8": "8.0"},
}

// ManagedRedisArgs are the inputs of defang:aws:ManagedRedis.
type ManagedRedisArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`
	// Version is the major version from the image tag ("7").
	Version string `pulumi:"version,optional"`
	// Image is the compose image: valkey images run Valkey, others Redis.
	Image         string `pulumi:"image,optional"`
	Port          int    `pulumi:"port,optional"`
	AllowDowntime bool   `pulumi:"allowDowntime,optional"`
	// FromSnapshot is an ElastiCache snapshot name to restore.
	FromSnapshot           string                  `pulumi:"fromSnapshot,optional"`
	VpcId                  pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIds              pulumi.StringArrayInput `pulumi:"subnetIds"`
	ClientSecurityGroupIds pulumi.StringArrayInput `pulumi:"clientSecurityGroupIds,optional"`
}

func (a *ManagedRedisArgs) fields() storeFields {
	return storeFields{&a.ProjectName, &a.ServiceName, &a.Mode, &a.Version, &a.FromSnapshot,
		&a.Port, &a.AllowDowntime, &a.VpcId, &a.SubnetIds, &a.ClientSecurityGroupIds}
}

func (a *ManagedRedisArgs) Annotate(an infer.Annotator) {
	a.fields().describe(an, "Redis or Valkey", "ElastiCache snapshot name", redisDefaultPort)
	an.Describe(&a.Image, "The compose image the store replaces: a valkey image (valkey/valkey:8) runs Valkey, any other Redis OSS.")
}

// ManagedRedis is defang:aws:ManagedRedis: x-defang-redis on ElastiCache.
type ManagedRedis struct {
	pulumi.ResourceState

	Endpoint        pulumi.StringOutput `pulumi:"endpoint"`
	Port            pulumi.IntOutput    `pulumi:"port"`
	SecurityGroupId pulumi.StringOutput `pulumi:"securityGroupId"`
}

func (m *ManagedRedis) Annotate(a infer.Annotator) {
	a.SetToken("aws", "ManagedRedis")
	a.Describe(&m, "A compose service with x-defang-redis as an Amazon ElastiCache (Redis OSS or Valkey) replication group: encrypted at rest and in transit (clients connect with TLS, rediss://), nodes per mode (automatic failover over zones in high_availability) in private subnets, reachable only from the given security groups. It has no AUTH token: like the compose image, it trusts the network, which admits only its clients.")
	describeOutputs(a, "replication group", "primary endpoint", &m.Endpoint, &m.Port, &m.SecurityGroupId)
}

// NewManagedRedis creates a managed Redis (or Valkey) on ElastiCache.
//
// No AUTH token: a compose Redis has no password, so its clients send none;
// an AUTH token would break every one of them. The store is instead reached
// only from its clients' security groups, over TLS.
func NewManagedRedis(ctx *pulumi.Context, name string, args ManagedRedisArgs, opts ...pulumi.ResourceOption) (*ManagedRedis, error) {
	comp := &ManagedRedis{}
	st, err := newStore(ctx, "defang:aws:ManagedRedis", name, comp, "Redis", args.fields(), opts)
	if err != nil {
		return nil, err
	}
	engine := redisEngine(args.Image)
	version, ok := redisEngineVersions[engine][leadingDigits(args.Version)]
	if !ok {
		return nil, fmt.Errorf("service %q: ElastiCache has no %s %s; use one of %s", args.ServiceName, engine, args.Version, redisMajors(engine))
	}

	sg, err := st.securityGroup(args.VpcId)
	if err != nil {
		return nil, err
	}
	subnets, err := elasticache.NewSubnetGroup(ctx, name, &elasticache.SubnetGroupArgs{
		Name:        pulumi.String(st.named(specCacheSubnetGroup)),
		SubnetIds:   args.SubnetIds,
		Description: st.description("Subnets"),
	}, st.parent)
	if err != nil {
		return nil, err
	}
	id := st.named(specReplicationGroup)
	_, finalID, err := st.finalSnapshot(id, map[string]string{
		"snapshotName": args.FromSnapshot, "port": strconv.Itoa(orDefault(args.Port, redisDefaultPort)),
	})
	if err != nil {
		return nil, err
	}
	s := st.settings
	// replicationGroupId is among the inputs that recreate the store (see
	// options): a name now derived differently must not replace the cache.
	group, err := elasticache.NewReplicationGroup(ctx, name, &elasticache.ReplicationGroupArgs{
		ReplicationGroupId:       pulumi.String(id),
		Description:              st.description(engine),
		Engine:                   pulumi.String(engine),
		EngineVersion:            pulumi.String(version),
		NodeType:                 pulumi.String(s.RedisNodeType),
		NumCacheClusters:         pulumi.Int(s.RedisNodes),
		AutomaticFailoverEnabled: pulumi.Bool(s.MultiAZ),
		MultiAzEnabled:           pulumi.Bool(s.MultiAZ),
		Port:                     pulumi.Int(orDefault(args.Port, redisDefaultPort)),
		SubnetGroupName:          subnets.Name,
		SecurityGroupIds:         pulumi.StringArray{sg.ID()},
		AtRestEncryptionEnabled:  pulumi.Bool(true),
		TransitEncryptionEnabled: pulumi.Bool(true),
		SnapshotRetentionLimit:   pulumi.Int(s.BackupRetentionDays),
		FinalSnapshotIdentifier:  finalID,
		SnapshotName:             st.snapshot(),
		AutoMinorVersionUpgrade:  pulumi.Bool(true),
		ApplyImmediately:         pulumi.Bool(st.allowDowntime),
	}, st.options("snapshotName", "port", "replicationGroupId")...)
	if err != nil {
		return nil, err
	}
	port := portOr(group.Port, redisDefaultPort)
	if err := st.admit(sg, port); err != nil {
		return nil, err
	}

	comp.Endpoint = group.PrimaryEndpointAddress
	comp.Port = port
	comp.SecurityGroupId = sg.ID().ToStringOutput()
	return comp, outputs.Register(ctx, comp)
}

// redisEngine is the ElastiCache engine of a compose image: valkey for
// valkey/valkey:8 and any image with valkey in its name, redis otherwise.
func redisEngine(image string) string {
	if strings.Contains(strings.ToLower(image), "valkey") {
		return "valkey"
	}
	return "redis"
}

// redisMajors lists the major versions of engine ElastiCache offers.
func redisMajors(engine string) string {
	var majors []string
	for major := range redisEngineVersions[engine] {
		if major != "" {
			majors = append(majors, engine+":"+major)
		}
	}
	sort.Strings(majors)
	return strings.Join(majors, ", ")
}
