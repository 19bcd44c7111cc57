package aws

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// literalEnv is a service's literal (not config) environment value, or "".
func literalEnv(s *compose.Service, name string) string {
	for _, e := range s.Environment {
		if e.Name == name && !e.IsSecret() {
			return e.Value
		}
	}
	return ""
}

// deployStores creates the managed store of every service with
// x-defang-postgres, x-defang-redis or x-defang-mongodb, and records its
// endpoint in stores for the values that name it. The store admits the
// members of the compose networks it joins, as its container would.
func deployStores(ctx *pulumi.Context, name string, project *compose.Project, network *Network, modeName string,
	cfg *configValues, stores *storeRefs, infos map[string]ServiceInfo, securityGroups pulumi.StringMap, parent pulumi.ResourceOption) error {
	for _, s := range project.Services {
		if !s.IsManaged() {
			continue
		}
		clients := pulumi.StringArray{}
		for _, n := range s.Networks {
			clients = append(clients, network.NetworkSecurityGroup.MapIndex(pulumi.String(n)))
		}
		logical := name + "-" + compose.DNSLabel(s.Name)
		var endpoint, securityGroup pulumi.StringOutput
		var kind storeKind
		switch {
		case s.Postgres != nil:
			db, err := NewManagedPostgres(ctx, logical, ManagedPostgresArgs{
				ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
				Version: s.Postgres.Version, Port: int(s.Postgres.Port),
				Username: literalEnv(s, "POSTGRES_USER"), Database: literalEnv(s, "POSTGRES_DB"),
				Password:      cfg.secretOf(s, "POSTGRES_PASSWORD"),
				AllowDowntime: s.Postgres.AllowDowntime, FromSnapshot: s.Postgres.FromSnapshot,
				VpcId: network.VpcId, SubnetIds: network.PrivateSubnetIds, ClientSecurityGroupIds: clients,
			}, parent)
			if err != nil {
				return err
			}
			endpoint, securityGroup, kind = db.Endpoint, db.SecurityGroupId, storePostgres
		case s.Redis != nil:
			cache, err := NewManagedRedis(ctx, logical, ManagedRedisArgs{
				ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
				Version: s.Redis.Version, Image: s.Redis.Image, Port: int(s.Redis.Port),
				AllowDowntime: s.Redis.AllowDowntime, FromSnapshot: s.Redis.FromSnapshot,
				VpcId: network.VpcId, SubnetIds: network.PrivateSubnetIds, ClientSecurityGroupIds: clients,
			}, parent)
			if err != nil {
				return err
			}
			endpoint, securityGroup, kind = cache.Endpoint, cache.SecurityGroupId, storeRedis
		case s.Mongo != nil:
			docs, err := NewManagedMongo(ctx, logical, ManagedMongoArgs{
				ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
				Version: s.Mongo.Version, Port: int(s.Mongo.Port),
				Username:      literalEnv(s, "MONGO_INITDB_ROOT_USERNAME"),
				Password:      cfg.secretOf(s, "MONGO_INITDB_ROOT_PASSWORD"),
				AllowDowntime: s.Mongo.AllowDowntime, FromSnapshot: s.Mongo.FromSnapshot,
				VpcId: network.VpcId, SubnetIds: network.PrivateSubnetIds, ClientSecurityGroupIds: clients,
			}, parent)
			if err != nil {
				return err
			}
			endpoint, securityGroup, kind = docs.Endpoint, docs.SecurityGroupId, storeMongo
			stores.addCredentials(s.Name, docs)
		}
		stores.add(s.Name, kind, endpoint)
		securityGroups[s.Name] = securityGroup
		infos[s.Name] = ServiceInfo{Kind: KindManaged, Image: pulumi.String(storeImage(s)).ToStringOutput(),
			PrivateHostname: endpoint, Urls: pulumi.StringArray{}.ToStringArrayOutput()}
	}
	return nil
}

// storeImage is the compose image a store stands in for.
func storeImage(s *compose.Service) string {
	for _, m := range []*compose.ManagedStore{s.Postgres, s.Redis, s.Mongo} {
		if m != nil && m.Image != "" {
			return m.Image
		}
	}
	return s.Image
}
