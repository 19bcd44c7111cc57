package aws

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/docdb"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
)

const (
	mongoDefaultPort = 27017
	// mongoDefaultUser is the master user when MONGO_INITDB_ROOT_USERNAME
	// is unset (DocumentDB always wants one; it reserves "admin").
	mongoDefaultUser = "defang"
	// mongoDefaultVersion is DocumentDB 5.0, its long-term-support
	// version, compatible with the MongoDB 5.0 API; MongoDB 4 images get
	// DocumentDB 4.0.
	mongoDefaultVersion = "5.0.0"
)

// mongoPassword is what DocumentDB accepts as a master password.
var mongoPassword = passwordRule{min: 8, max: 100, forbidden: `/@"`}

// ManagedMongoArgs are the inputs of defang:aws:ManagedMongo.
type ManagedMongoArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`
	// Version is the major version from the image tag ("7").
	Version string `pulumi:"version,optional"`
	// Username is MONGO_INITDB_ROOT_USERNAME, default "defang".
	Username string `pulumi:"username,optional"`
	// Password is MONGO_INITDB_ROOT_PASSWORD; nil means a generated one.
	Password      pulumi.StringInput `pulumi:"password,optional" provider:"secret"`
	Port          int                `pulumi:"port,optional"`
	AllowDowntime bool               `pulumi:"allowDowntime,optional"`
	// FromSnapshot is a DocumentDB cluster snapshot identifier (or ARN).
	FromSnapshot           string                  `pulumi:"fromSnapshot,optional"`
	VpcId                  pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIds              pulumi.StringArrayInput `pulumi:"subnetIds"`
	ClientSecurityGroupIds pulumi.StringArrayInput `pulumi:"clientSecurityGroupIds,optional"`
}

func (a *ManagedMongoArgs) fields() storeFields {
	return storeFields{&a.ProjectName, &a.ServiceName, &a.Mode, &a.Version, &a.FromSnapshot,
		&a.Port, &a.AllowDowntime, &a.VpcId, &a.SubnetIds, &a.ClientSecurityGroupIds}
}

func (a *ManagedMongoArgs) Annotate(an infer.Annotator) {
	a.fields().describe(an, "MongoDB", "DocumentDB cluster snapshot identifier or ARN", mongoDefaultPort)
	an.Describe(&a.Username, "The master user (MONGO_INITDB_ROOT_USERNAME, default defang): letters and digits, not admin.")
	an.Describe(&a.Password, "The master password (MONGO_INITDB_ROOT_PASSWORD). When unset, a random password is generated once and kept across updates.")
}

// ManagedMongo is defang:aws:ManagedMongo: x-defang-mongodb on DocumentDB.
type ManagedMongo struct {
	pulumi.ResourceState

	Endpoint             pulumi.StringOutput `pulumi:"endpoint"`
	Port                 pulumi.IntOutput    `pulumi:"port"`
	SecurityGroupId      pulumi.StringOutput `pulumi:"securityGroupId"`
	PasswordParameterArn pulumi.StringOutput `pulumi:"passwordParameterArn"`

	// masterUsername and masterPassword (secret) are what a Project's
	// dependents put into their mongodb:// URLs (store_refs.go). Not
	// outputs: the password already has its SSM parameter, and the schema
	// stays as it is.
	masterUsername pulumi.StringOutput
	masterPassword pulumi.StringOutput
}

func (m *ManagedMongo) Annotate(a infer.Annotator) {
	a.SetToken("aws", "ManagedMongo")
	a.Describe(&m, "A compose service with x-defang-mongodb as an Amazon DocumentDB cluster (MongoDB-compatible): encrypted at rest, TLS required, instances per mode (three over the zones, deletion protection and a final snapshot in high_availability) in private subnets, reachable only from the given security groups, with its master password in an SSM SecureString parameter.")
	describeOutputs(a, "cluster", "cluster endpoint (the primary)", &m.Endpoint, &m.Port, &m.SecurityGroupId)
	a.Describe(&m.PasswordParameterArn, passwordParameterDoc)
}

// NewManagedMongo creates a managed MongoDB on DocumentDB.
func NewManagedMongo(ctx *pulumi.Context, name string, args ManagedMongoArgs, opts ...pulumi.ResourceOption) (*ManagedMongo, error) {
	comp := &ManagedMongo{}
	st, err := newStore(ctx, "defang:aws:ManagedMongo", name, comp, "MongoDB", args.fields(), opts)
	if err != nil {
		return nil, err
	}
	user, err := st.userName(args.Username, mongoDefaultUser, "DocumentDB", "MONGO_INITDB_ROOT_USERNAME", false, "admin")
	if err != nil {
		return nil, err
	}

	sg, err := st.securityGroup(args.VpcId)
	if err != nil {
		return nil, err
	}
	password, param, err := st.password(args.Password, mongoPassword)
	if err != nil {
		return nil, err
	}
	subnets, err := docdb.NewSubnetGroup(ctx, name, &docdb.SubnetGroupArgs{
		Name:        pulumi.String(st.named(specDocDBSubnetGroup)),
		SubnetIds:   args.SubnetIds,
		Description: st.description("Subnets"),
	}, st.parent)
	if err != nil {
		return nil, err
	}
	identifier := st.named(specDocDBCluster)
	skipFinal, finalID, err := st.finalSnapshot(identifier, map[string]string{
		"masterUsername": user, "snapshotIdentifier": args.FromSnapshot, "port": strconv.Itoa(orDefault(args.Port, mongoDefaultPort)),
	})
	if err != nil {
		return nil, err
	}
	s := st.settings
	clusterArgs := &docdb.ClusterArgs{
		ClusterIdentifier:        pulumi.String(identifier),
		Engine:                   pulumi.String("docdb"),
		EngineVersion:            pulumi.String(mongoEngineVersion(args.Version)),
		MasterPassword:           password,
		Port:                     pulumi.Int(orDefault(args.Port, mongoDefaultPort)),
		DbSubnetGroupName:        subnets.Name,
		VpcSecurityGroupIds:      pulumi.StringArray{sg.ID()},
		StorageEncrypted:         pulumi.Bool(true),
		BackupRetentionPeriod:    pulumi.Int(s.BackupRetentionDays),
		DeletionProtection:       pulumi.Bool(s.Protected),
		SkipFinalSnapshot:        pulumi.Bool(skipFinal),
		FinalSnapshotIdentifier:  finalID,
		ApplyImmediately:         pulumi.Bool(st.allowDowntime),
		AllowMajorVersionUpgrade: pulumi.Bool(st.allowDowntime),
		SnapshotIdentifier:       st.snapshot(),
	}
	// A restored cluster takes its master user from the snapshot.
	if args.FromSnapshot == "" {
		clusterArgs.MasterUsername = pulumi.String(user)
	}
	// The default cluster parameter group requires TLS.
	// The identifier is among the inputs that recreate the store: a name
	// that our naming (or the stack's pulumi:autonaming) now derives
	// differently must not replace a cluster that holds data.
	cluster, err := docdb.NewCluster(ctx, name, clusterArgs, st.options("masterUsername", "snapshotIdentifier", "port", "clusterIdentifier")...)
	if err != nil {
		return nil, err
	}
	// Instances: DocumentDB places them in different zones of the subnet
	// group; with more than one, a replica takes over if the primary fails.
	instanceIDs := pulumi.StringArray{}
	for i := 1; i <= s.MongoInstances; i++ {
		instance, err := docdb.NewClusterInstance(ctx, fmt.Sprintf("%s-%d", name, i), &docdb.ClusterInstanceArgs{
			ClusterIdentifier:       cluster.ID(),
			Identifier:              pulumi.String(st.named(specDocDBInstance, strconv.Itoa(i))),
			Engine:                  pulumi.String("docdb"),
			InstanceClass:           pulumi.String(s.MongoClass),
			AutoMinorVersionUpgrade: pulumi.Bool(true),
			ApplyImmediately:        pulumi.Bool(st.allowDowntime),
		}, st.parent)
		if err != nil {
			return nil, err
		}
		instanceIDs = append(instanceIDs, instance.ID())
	}
	port := portOr(cluster.Port, mongoDefaultPort)
	if err := st.admit(sg, port); err != nil {
		return nil, err
	}

	// The endpoint answers once an instance runs: hand it out after them.
	comp.Endpoint = pulumi.All(cluster.Endpoint, instanceIDs).ApplyT(func(v []any) string {
		return v[0].(string)
	}).(pulumi.StringOutput)
	comp.Port = port
	comp.SecurityGroupId = sg.ID().ToStringOutput()
	comp.PasswordParameterArn = param.Arn
	// A restored cluster's master user is the snapshot's, which only the
	// cluster knows; the provider reads it back (master_username is
	// computed).
	comp.masterUsername = cluster.MasterUsername.ApplyT(func(u string) string {
		if u == "" {
			return user
		}
		return u
	}).(pulumi.StringOutput)
	comp.masterPassword = password
	return comp, outputs.Register(ctx, comp)
}

// mongoEngineVersion maps a MongoDB major version to the DocumentDB engine
// version compatible with it: 4 and older get 4.0.0, anything else (and no
// version) 5.0.0.
func mongoEngineVersion(major string) string {
	if n, err := strconv.Atoi(leadingDigits(major)); err == nil && n <= 4 {
		return "4.0.0"
	}
	return mongoDefaultVersion
}
