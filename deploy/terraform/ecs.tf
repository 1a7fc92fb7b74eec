# The container service: at least two Fargate tasks of the app behind the load balancer, with rolling
# deploys that roll back by themselves, CPU autoscaling, and two one-off task definitions: the migration
# (run by CI before each deploy) and the hourly backup (started by EventBridge Scheduler).

resource "aws_ecs_cluster" "main" {
  name = local.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/tavern/${var.environment}/app"
  retention_in_days = var.log_retention_days
}

locals {
  environment = [
    { name = "APP_ENV", value = "production" },
    { name = "APP_VERSION", value = element(split(":", var.image), length(split(":", var.image)) - 1) },
    { name = "STORAGE_BACKEND", value = "s3" },
    { name = "S3_BUCKET", value = aws_s3_bucket.main["uploads"].bucket },
    { name = "AWS_REGION", value = var.region },
    { name = "PUBLIC_URL", value = "https://${var.domain_name}" },
    { name = "LOG_LEVEL", value = "INFO" },
    # The load balancer connects from inside the VPC; its X-Forwarded-* headers are believed.
    { name = "TRUSTED_PROXIES", value = var.vpc_cidr },
    { name = "GUNICORN_BIND", value = "0.0.0.0:8000" },
    { name = "GUNICORN_KEEPALIVE", value = "75" },
    { name = "WEB_CONCURRENCY", value = "2" },
    { name = "GUNICORN_THREADS", value = "4" },
  ]

  # The image runs read-only; /tmp (metrics files, backup dumps) is the task's ephemeral storage.
  container = {
    image                  = var.image
    essential              = true
    readonlyRootFilesystem = true
    environment            = local.environment
    secrets                = local.app_secrets
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

    # Longer than Gunicorn's graceful_timeout (20 s), so requests in flight finish on a deploy.
    stopTimeout = 30
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "${local.name}-app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.app.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  # No container health check: the load balancer's /health check decides where traffic goes, and an ECS
  # check on /health would replace every task during a Redis outage, which no restart can fix.
  container_definitions = jsonencode([merge(local.container, {
    name         = "app"
    portMappings = [{ containerPort = 8000, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "app"
      }
    }
  })])
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${local.name}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.app.arn

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(local.container, {
    name    = "migrate"
    command = ["flask", "db", "upgrade"]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "migrate"
      }
    }
  })])
}

resource "aws_ecs_task_definition" "backup" {
  family                   = "${local.name}-backup"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.backup.arn

  ephemeral_storage {
    size_in_gib = 50
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(local.container, {
    name    = "backup"
    command = ["deploy/backup.sh"]
    environment = concat(local.environment, [
      { name = "BACKUP_BUCKET", value = aws_s3_bucket.main["backups"].bucket },
      { name = "BACKUP_RETENTION_DAYS", value = tostring(var.backup_retention_days) },
    ])
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "backup"
      }
    }
  })])
}

resource "aws_ecs_service" "app" {
  name                               = "app"
  cluster                            = aws_ecs_cluster.main.id
  task_definition                    = aws_ecs_task_definition.app.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  propagate_tags                     = "SERVICE"
  enable_execute_command             = false

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = "app"
    container_port   = 8000
  }

  # A release whose tasks never turn healthy is rolled back to the previous task definition.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count] # owned by autoscaling once created
  }

  depends_on = [aws_lb_listener.https]
}

resource "aws_appautoscaling_target" "app" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.app.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = max(var.max_count, var.desired_count)
}

resource "aws_appautoscaling_policy" "app_cpu" {
  name               = "${local.name}-cpu"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension
  policy_type        = "TargetTrackingScaling"

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Every hour, for the 1-hour RPO of the logical backups (RDS point-in-time recovery covers minutes).
resource "aws_scheduler_schedule" "backup" {
  name                = "${local.name}-backup"
  schedule_expression = "rate(1 hour)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_ecs_cluster.main.arn
    role_arn = aws_iam_role.scheduler.arn

    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.backup.arn_without_revision
      launch_type         = "FARGATE"
      network_configuration {
        subnets          = aws_subnet.private[*].id
        security_groups  = [aws_security_group.app.id]
        assign_public_ip = false
      }
    }

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 1800
    }
  }
}
