# What CI and operators need after `terraform apply`.

output "url" {
  description = "Public URL (point domain_name's DNS at load_balancer_dns_name)."
  value       = "https://${var.domain_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer, for a CNAME or alias record."
  value       = aws_lb.main.dns_name
}

output "ecs_cluster" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.main.name
}

output "ecs_service" {
  description = "ECS service of the app."
  value       = aws_ecs_service.app.name
}

output "migrate_task_definition" {
  description = "Task definition that runs `flask db upgrade` (CI runs it before each deploy)."
  value       = aws_ecs_task_definition.migrate.family
}

output "backup_task_definition" {
  description = "Task definition of the hourly backup (also runnable by hand)."
  value       = aws_ecs_task_definition.backup.family
}

output "private_subnet_ids" {
  description = "Subnets for one-off tasks (aws ecs run-task)."
  value       = aws_subnet.private[*].id
}

output "app_security_group_id" {
  description = "Security group for one-off tasks."
  value       = aws_security_group.app.id
}

output "database_endpoint" {
  description = "PostgreSQL endpoint (host:port), reachable from the app's subnets only."
  value       = aws_db_instance.main.endpoint
}

output "redis_endpoint" {
  description = "Redis primary endpoint (TLS, auth token in the app secret)."
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "uploads_bucket" {
  description = "Bucket of uploaded images."
  value       = aws_s3_bucket.main["uploads"].bucket
}

output "backups_bucket" {
  description = "Bucket of the hourly database dumps."
  value       = aws_s3_bucket.main["backups"].bucket
}

output "app_secret_arn" {
  description = "Secrets Manager secret with SECRET_KEY, JWT_SECRET, DATABASE_URL, REDIS_URL, MAIL_URL."
  value       = aws_secretsmanager_secret.app.arn
}

output "log_group" {
  description = "CloudWatch log group of the app, migrations and backups."
  value       = aws_cloudwatch_log_group.app.name
}
