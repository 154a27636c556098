// Webhooks as a buyer receives them, through the workbench's own receiver: a create_media_buy that registers
// a push_notification_config is told of its completion by a webhook signed with the agent's published key
// (RFC 9421), delivered again with the same idempotency_key after the receiver answered the first attempt 503
// (at-least-once), whose result agrees with get_media_buys. The receiver listens on loopback, so the suite
// applies to an agent on this machine that declares webhook support and publishes its keys.
#include "suitehelpers.h"

#include "labwebhooks.h"

#include <QHostAddress>

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Online video and display for a streaming service launch, autumn";
// Bounds on waiting for the agent's deliveries (its first retry may come after a backoff of some seconds).
constexpr int kFirstDeliveryMs = 30000;
constexpr int kRetryMs = 90000;

// How far along a media-buy status is (-1: not a media-buy status, e.g. a task status).
int stage(const std::string &status)
{
    if (status == "pending_creatives")
        return 0;
    if (status == "pending_start")
        return 1;
    if (status == "active" || status == "paused")
        return 2;
    if (status == "completed" || status == "canceled" || status == "rejected")
        return 3;
    return -1;
}

bool loopbackAgent(const LabContext &ctx)
{
    const QString host = ctx.config().url.host();
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
           QHostAddress(host).isLoopback();
}

bool declaresWebhooks(const LabContext &ctx)
{
    const json &caps = ctx.capabilities();
    if (caps.value("webhook_signing", json::object()).value("supported", false))
        return true;
    const json methods =
        caps.value("media_buy", json::object()).value("reporting_delivery_methods", json::array());
    return std::find(methods.begin(), methods.end(), "webhook") != methods.end();
}

std::optional<StepOutcome> needsRegisteredBuy(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    if (ctx.state().contains("w_na"))
        return StepOutcome::notApplicable(QString::fromStdString(ctx.state()["w_na"].get<std::string>()));
    return needsState(ctx, "w_buy", "registers_webhook");
}

StepOutcome registersWebhook(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    auto notApplicable = [&ctx](const QString &why) {
        ctx.state()["w_na"] = why.toStdString();
        return StepOutcome::notApplicable(why);
    };
    if (!declaresWebhooks(ctx))
        return notApplicable(QStringLiteral("the agent declares no webhook support (webhook_signing, "
                                            "reporting_delivery_methods)"));
    if (!loopbackAgent(ctx))
        return notApplicable(
            QStringLiteral("the lab's receiver listens on loopback; the agent at %1 cannot call it")
                .arg(ctx.config().url.host()));
    QUrl jwksUrl = ctx.config().url;
    jwksUrl.setPath(QStringLiteral("/.well-known/jwks.json"));
    jwksUrl.setQuery(QString());
    QString error;
    LabWebhooks &hooks = ctx.webhooks();
    const auto jwks = hooks.fetchJson(jwksUrl, 10000, &error);
    if (!jwks)
        return notApplicable(QStringLiteral("no webhook-signing keys to verify with: ") + error);
    if (!hooks.started() && !hooks.start(*jwks, &error))
        return notApplicable(error);

    ToolOutcome stopped;
    auto args = buyArguments(ctx, kBrief, LabContext::newKey(), 50000, &stopped);
    if (!args)
        return StepOutcome::fail(QStringLiteral("nothing to buy: ") + describe(stopped));
    (*args)["push_notification_config"] = {{"url", hooks.url().toString().toStdString()}};
    const ToolOutcome created = ctx.call(QStringLiteral("create_media_buy"), *args);
    if (!created.ok()) {
        // Refusing a loopback callback is what a seller facing the internet should do (SSRF).
        if (created.error->field && created.error->field->find("push_notification_config") == 0)
            return notApplicable(QStringLiteral("the agent does not call loopback webhook URLs: ") +
                                 describe(created));
        return StepOutcome::fail(QStringLiteral("create_media_buy with a webhook failed: ") +
                                 describe(created));
    }
    const std::string id = text(created.result, "media_buy_id");
    if (id.empty())
        return notApplicable(QStringLiteral("the buy was not created at once (no media_buy_id to follow)"));
    ctx.state()["w_buy"] = id;
    return StepOutcome::pass(
        QStringLiteral("media buy %1, webhook at %2").arg(str(id), hooks.url().toString()));
}

StepOutcome deliverySigned(LabContext &ctx)
{
    if (auto na = needsRegisteredBuy(ctx))
        return *na;
    LabWebhooks &hooks = ctx.webhooks();
    const bool arrived = hooks.waitUntil(
        [&hooks] {
            return !hooks.refused().empty() || !hooks.accepted().empty() || !hooks.rejected().isEmpty();
        },
        kFirstDeliveryMs);
    if (!arrived)
        return StepOutcome::fail(
            QStringLiteral("no webhook within %1 s of the buy").arg(kFirstDeliveryMs / 1000));
    if (hooks.refused().empty() && hooks.accepted().empty())
        return StepOutcome::fail(QStringLiteral("the webhook was rejected: ") +
                                 hooks.rejected().join(QStringLiteral("; ")));
    const WebhookEvent &first = hooks.refused().empty() ? hooks.accepted().front() : hooks.refused().front();
    if (first.verifiedBy != QLatin1String("rfc9421"))
        return StepOutcome::fail(
            QStringLiteral("the webhook was authenticated by %1, not an RFC 9421 signature")
                .arg(first.verifiedBy));
    return StepOutcome::pass(QStringLiteral("RFC 9421 signature verified with the agent's published key"));
}

StepOutcome retriedWithSameKey(LabContext &ctx)
{
    if (auto na = needsRegisteredBuy(ctx))
        return *na;
    LabWebhooks &hooks = ctx.webhooks();
    if (hooks.refused().empty())
        return StepOutcome::fail(QStringLiteral("no delivery reached the receiver to refuse"));
    const QString key = hooks.refused().front().idempotencyKey;
    const bool retried = hooks.waitUntil(
        [&hooks, &key] {
            return std::any_of(hooks.accepted().begin(), hooks.accepted().end(),
                               [&key](const WebhookEvent &e) { return e.idempotencyKey == key; }) ||
                   !hooks.rejected().isEmpty();
        },
        kRetryMs);
    if (!hooks.rejected().isEmpty())
        return StepOutcome::fail(QStringLiteral("a delivery was rejected: ") +
                                 hooks.rejected().join(QStringLiteral("; ")));
    if (!retried) {
        if (!hooks.accepted().empty())
            return StepOutcome::fail(
                QStringLiteral("the agent delivered again under another idempotency_key (%1, "
                               "first %2): a buyer cannot tell it is the same event")
                    .arg(hooks.accepted().front().idempotencyKey, key));
        return StepOutcome::fail(QStringLiteral("after a 503 the webhook was not delivered again within %1 s")
                                     .arg(kRetryMs / 1000));
    }
    return StepOutcome::pass(QStringLiteral("delivered again after a 503 with the same idempotency_key"));
}

StepOutcome resultAgreesWithSnapshot(LabContext &ctx)
{
    if (auto na = needsRegisteredBuy(ctx))
        return *na;
    LabWebhooks &hooks = ctx.webhooks();
    if (hooks.accepted().empty())
        return StepOutcome::fail(QStringLiteral("no webhook was accepted to compare"));
    const std::string id = ctx.state()["w_buy"].get<std::string>();
    const json &payload = hooks.accepted().front().payload;
    const json result = payload.value("result", json::object());
    if (text(payload, "task_type") != "create_media_buy")
        return StepOutcome::fail(QStringLiteral("the webhook's task_type is '%1', not create_media_buy")
                                     .arg(str(text(payload, "task_type"))));
    if (text(result, "media_buy_id") != id)
        return StepOutcome::fail(QStringLiteral("the webhook's result names media buy '%1', the answer '%2'")
                                     .arg(str(text(result, "media_buy_id")), str(id)));
    ToolOutcome read;
    const auto buy = readBuy(ctx, id, &read);
    if (!read.ok())
        return StepOutcome::fail(QStringLiteral("get_media_buys failed: ") + describe(read));
    if (!buy)
        return StepOutcome::fail(
            QStringLiteral("get_media_buys does not list the buy the webhook announced"));
    const std::string pushed =
        text(result, "media_buy_status").empty() ? text(result, "status") : text(result, "media_buy_status");
    const std::string now = text(*buy, "status");
    // The buy may have moved on since the event, never back: the snapshot is at least as far along.
    if (stage(now) >= 0 && stage(pushed) > stage(now))
        return StepOutcome::fail(
            QStringLiteral("the webhook says '%1' but get_media_buys says '%2', an earlier stage")
                .arg(str(pushed), str(now)));
    return StepOutcome::pass(
        QStringLiteral("media buy %1: webhook '%2', snapshot '%3'").arg(str(id), str(pushed), str(now)));
}

} // namespace

LabSuite webhooksSuite()
{
    return {
        QStringLiteral("webhooks"),
        QStringLiteral("Webhooks"),
        {{QStringLiteral("registers_webhook"), QStringLiteral("A buy registers the lab's webhook"),
          registersWebhook},
         {QStringLiteral("delivery_signed"),
          QStringLiteral("The webhook is signed with the agent's published key"), deliverySigned},
         {QStringLiteral("retried_with_same_key"),
          QStringLiteral("A refused delivery comes again with the same idempotency_key"), retriedWithSameKey},
         {QStringLiteral("result_agrees_with_snapshot"),
          QStringLiteral("The webhook's result agrees with get_media_buys"), resultAgreesWithSnapshot}}};
}

} // namespace adcp::lab
