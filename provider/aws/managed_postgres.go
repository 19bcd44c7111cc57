package aws

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
)

const (
	postgresDefaultPort = 5432
	// postgresDefaultVersion is the major version used when the image tag
	// names none: the newest major RDS has supported for a year.
	postgresDefaultVersion = "17"
	postgresDefaultUser    = "postgres"
)

// postgresPassword is what RDS for PostgreSQL accepts as a master password.
var postgresPassword = passwordRule{min: 8, max: 128, forbidden: `/@"' `}

// ManagedPostgresArgs are the inputs of defang:aws:ManagedPostgres.
type ManagedPostgresArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`
	// Version is the major version from the image tag ("16"); default 17.
	Version string `pulumi:"version,optional"`
	// Username is POSTGRES_USER, default "postgres".
	Username string `pulumi:"username,optional"`
	// Database is POSTGRES_DB, default the user name.
	Database string `pulumi:"database,optional"`
	// Password is POSTGRES_PASSWORD; nil means a generated one.
	Password      pulumi.StringInput `pulumi:"password,optional" provider:"secret"`
	Port          int                `pulumi:"port,optional"`
	AllowDowntime bool               `pulumi:"allowDowntime,optional"`
	// FromSnapshot is an RDS snapshot identifier (or ARN) to restore.
	FromSnapshot string             `pulumi:"fromSnapshot,optional"`
	VpcId        pulumi.StringInput `pulumi:"vpcId"`
	// SubnetIds are private subnets.
	SubnetIds pulumi.StringArrayInput `pulumi:"subnetIds"`
	// ClientSecurityGroupIds may connect, on Port only.
	ClientSecurityGroupIds pulumi.StringArrayInput `pulumi:"clientSecurityGroupIds,optional"`
}

func (a *ManagedPostgresArgs) fields() storeFields {
	return storeFields{&a.ProjectName, &a.ServiceName, &a.Mode, &a.Version, &a.FromSnapshot,
		&a.Port, &a.AllowDowntime, &a.VpcId, &a.SubnetIds, &a.ClientSecurityGroupIds}
}

func (a *ManagedPostgresArgs) Annotate(an infer.Annotator) {
	a.fields().describe(an, "PostgreSQL", "RDS snapshot identifier or ARN", postgresDefaultPort)
	an.Describe(&a.Username, "The master user (POSTGRES_USER, default postgres).")
	an.Describe(&a.Database, "The database to create (POSTGRES_DB, default the user name).")
	an.Describe(&a.Password, "The master password (POSTGRES_PASSWORD). When unset, a random password is generated once and kept across updates.")
}

// ManagedPostgres is defang:aws:ManagedPostgres: x-defang-postgres on RDS.
type ManagedPostgres struct {
	pulumi.ResourceState

	Endpoint             pulumi.StringOutput `pulumi:"endpoint"`
	Port                 pulumi.IntOutput    `pulumi:"port"`
	SecurityGroupId      pulumi.StringOutput `pulumi:"securityGroupId"`
	PasswordParameterArn pulumi.StringOutput `pulumi:"passwordParameterArn"`
}

func (m *ManagedPostgres) Annotate(a infer.Annotator) {
	a.SetToken("aws", "ManagedPostgres")
	a.Describe(&m, "A compose service with x-defang-postgres as Amazon RDS for PostgreSQL: an encrypted instance sized per mode (multi-AZ with deletion protection and a final snapshot in high_availability) in private subnets, reachable only from the given security groups, with its master password in an SSM SecureString parameter.")
	describeOutputs(a, "instance", "instance", &m.Endpoint, &m.Port, &m.SecurityGroupId)
	a.Describe(&m.PasswordParameterArn, passwordParameterDoc)
}

// NewManagedPostgres creates a managed PostgreSQL on RDS.
func NewManagedPostgres(ctx *pulumi.Context, name string, args ManagedPostgresArgs, opts ...pulumi.ResourceOption) (*ManagedPostgres, error) {
	comp := &ManagedPostgres{}
	st, err := newStore(ctx, "defang:aws:ManagedPostgres", name, comp, "PostgreSQL", args.fields(), opts)
	if err != nil {
		return nil, err
	}
	user, err := st.userName(args.Username, postgresDefaultUser, "RDS for PostgreSQL", "POSTGRES_USER", true, "admin", "rdsadmin")
	if err != nil {
		return nil, err
	}
	database := args.Database
	if database == "" {
		database = user
	}
	if !validDBName(database, true) {
		return nil, fmt.Errorf("service %q: POSTGRES_DB %q is not a database name RDS accepts: it must start with a letter and hold at most 63 letters, digits and underscores", args.ServiceName, database)
	}
	version := leadingDigits(args.Version)
	if version == "" {
		version = postgresDefaultVersion
	}

	sg, err := st.securityGroup(args.VpcId)
	if err != nil {
		return nil, err
	}
	password, param, err := st.password(args.Password, postgresPassword)
	if err != nil {
		return nil, err
	}
	subnets, err := rds.NewSubnetGroup(ctx, name, &rds.SubnetGroupArgs{
		Name:        pulumi.String(st.named(specRDSSubnetGroup)),
		SubnetIds:   args.SubnetIds,
		Description: st.description("Subnets"),
	}, st.parent)
	if err != nil {
		return nil, err
	}
	identifier := st.named(specDBInstance)
	skipFinal, finalID, err := st.finalSnapshot(identifier, map[string]string{
		"username": user, "dbName": database, "snapshotIdentifier": args.FromSnapshot,
	})
	if err != nil {
		return nil, err
	}
	s := st.settings
	dbArgs := &rds.InstanceArgs{
		Identifier:               pulumi.String(identifier),
		Engine:                   pulumi.String("postgres"),
		EngineVersion:            pulumi.String(version),
		InstanceClass:            pulumi.String(s.PostgresClass),
		AllocatedStorage:         pulumi.Int(s.PostgresStorageGB),
		MaxAllocatedStorage:      pulumi.Int(s.PostgresMaxStorageGB),
		StorageType:              pulumi.String("gp3"),
		StorageEncrypted:         pulumi.Bool(true),
		Password:                 password,
		Port:                     pulumi.Int(orDefault(args.Port, postgresDefaultPort)),
		DbSubnetGroupName:        subnets.Name,
		VpcSecurityGroupIds:      pulumi.StringArray{sg.ID()},
		PubliclyAccessible:       pulumi.Bool(false),
		MultiAz:                  pulumi.Bool(s.MultiAZ),
		BackupRetentionPeriod:    pulumi.Int(s.BackupRetentionDays),
		DeletionProtection:       pulumi.Bool(s.Protected),
		SkipFinalSnapshot:        pulumi.Bool(skipFinal),
		FinalSnapshotIdentifier:  finalID,
		CopyTagsToSnapshot:       pulumi.Bool(true),
		AutoMinorVersionUpgrade:  pulumi.Bool(true),
		ApplyImmediately:         pulumi.Bool(st.allowDowntime),
		AllowMajorVersionUpgrade: pulumi.Bool(st.allowDowntime),
		SnapshotIdentifier:       st.snapshot(),
	}
	// A restored instance takes its user and databases from the snapshot;
	// RDS refuses a database name then. The "postgres" database always
	// exists, so it is not asked for.
	if args.FromSnapshot == "" {
		dbArgs.Username = pulumi.String(user)
		if database != "postgres" {
			dbArgs.DbName = pulumi.String(database)
		}
	}
	// The identifier is among the inputs that recreate the store: a name
	// that our naming (or the stack's pulumi:autonaming) now derives
	// differently must not replace an instance that holds data.
	db, err := rds.NewInstance(ctx, name, dbArgs, st.options("username", "dbName", "snapshotIdentifier", "identifier")...)
	if err != nil {
		return nil, err
	}
	if err := st.admit(sg, db.Port); err != nil {
		return nil, err
	}

	comp.Endpoint = db.Address
	comp.Port = db.Port
	comp.SecurityGroupId = sg.ID().ToStringOutput()
	comp.PasswordParameterArn = param.Arn
	return comp, outputs.Register(ctx, comp)
}
