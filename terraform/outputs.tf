output "url" {
  description = "HTTPS address of the API; point a DNS name covered by the certificate at load_balancer_dns_name."
  value       = "https://${aws_lb.main.dns_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer, for a CNAME or alias record."
  value       = aws_lb.main.dns_name
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "ecs_service_name" {
  description = "Name of the ECS service running valiant-server."
  value       = aws_ecs_service.server.name
}

output "database_endpoint" {
  description = "Writer endpoint of the Aurora PostgreSQL cluster."
  value       = aws_rds_cluster.main.endpoint
}

output "database_secret_arn" {
  description = "ARN of the Secrets Manager secret with the database master password."
  value       = local.db_secret_arn
}

output "redis_endpoint" {
  description = "Primary endpoint of the ElastiCache Redis replication group."
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "log_group_name" {
  description = "CloudWatch log group of the server tasks."
  value       = aws_cloudwatch_log_group.server.name
}

output "alarm_topic_arn" {
  description = "SNS topic that receives the alarms."
  value       = aws_sns_topic.alarms.arn
}
