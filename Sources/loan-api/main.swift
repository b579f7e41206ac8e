import Foundation
import LoanAPI
import Logging
import Metrics
import Prometheus
import ServiceEnvironment
import ServiceLifecycle

// `loan-api`: the HTTP service. Everything comes from the environment (see README, "loan-api");
// SIGTERM/SIGINT stop accepting connections, let in-flight requests finish, then close the
// server connections.
let env = Environment()
LoggingSystem.bootstrap { label in
    var handler = JSONLogHandler(label: label)
    handler.logLevel = env.logLevel
    return handler
}
let logger = Logger(label: "loan-api")

do {
    let configuration = try APIConfiguration(environment: env)
    // One registry for the API's own metrics and the libraries' swift-metrics (Celeriac client, etc.).
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let services = try await LoanAPIServices.connect(configuration, metrics: APIMetrics(registry: registry), logger: logger)
    let application = LoanAPIApplication.application(services, logger: logger)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(
        services: [.init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    logger.info("loan-api listening", metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)"])
    try await group.run()
    await services.close()
    logger.info("loan-api stopped")
} catch {
    logger.critical("loan-api failed", metadata: ["error": "\(error)"])
    exit(1)
}
