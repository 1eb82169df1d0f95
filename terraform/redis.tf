resource "aws_elasticache_subnet_group" "main" {
  name       = local.name
  subnet_ids = aws_subnet.private[*].id
}

# NOTE: valiant-server speaks plain redis:// only, so transit encryption and
# AUTH stay off; the security group admits the tasks alone. Redis carries
# quote fan-out, never account data.
resource "aws_elasticache_replication_group" "main" {
  replication_group_id       = local.name
  description                = "Quote fan-out between valiant-server tasks"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.redis_node_type
  port                       = 6379
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [aws_security_group.redis.id]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = false
  apply_immediately          = false
}
