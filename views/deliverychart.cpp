#include "deliverychart.h"

#include "displaynames.h"
#include "jsonvalues.h"

#include <QButtonGroup>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QRadioButton>
#include <QVBoxLayout>
#include <QValueAxis>

namespace adcp::gui {

using namespace adcp::models;

namespace {

struct Point
{
    QDateTime at;
    double spend = 0.0;
    double impressions = 0.0;
};

// Windows (window_start/window_end + totals) when the seller reports them, else the daily breakdown. A window
// still running ends at `now`; one that has not begun is not delivery (a flat line into the future).
std::vector<Point> deliveredPoints(const nlohmann::json &delivery, const QDateTime &now)
{
    std::vector<Point> points;
    if (delivery.contains("windows") && delivery["windows"].is_array() && !delivery["windows"].empty()) {
        for (const auto &window : delivery["windows"]) {
            const nlohmann::json totals = jsonObject(window, "totals");
            const QDateTime begin = jsonDateTime(window, "window_start");
            if (now.isValid() && begin.isValid() && begin > now)
                continue;
            QDateTime end = jsonDateTime(window, "window_end");
            if (now.isValid() && end > now)
                end = now;
            points.push_back({end, jsonNumber(totals, "spend"), jsonNumber(totals, "impressions")});
        }
    } else if (delivery.contains("daily_breakdown") && delivery["daily_breakdown"].is_array()) {
        for (const auto &day : delivery["daily_breakdown"]) {
            const QDateTime begin(QDate::fromString(jsonString(day, "date"), Qt::ISODate), QTime(0, 0), Qt::UTC);
            if (now.isValid() && begin > now)
                continue;
            QDateTime end = begin.addDays(1);
            if (now.isValid() && end > now)
                end = now;
            points.push_back({end, jsonNumber(day, "spend"), jsonNumber(day, "impressions")});
        }
    }
    std::sort(points.begin(), points.end(), [](const Point &a, const Point &b) { return a.at < b.at; });
    points.erase(std::remove_if(points.begin(), points.end(), [](const Point &p) { return !p.at.isValid(); }),
                 points.end());
    return points;
}

} // namespace

DeliveryChart::DeliveryChart(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("deliveryChart"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("deliverySummary"));
    // Wraps beside the Hourly/Daily choice in a narrow pane instead of being cut by it.
    m_summary->setWordWrap(true);
    bar->addWidget(m_summary, 1);
    m_hourly = new QRadioButton(tr("Hourly"), this);
    m_hourly->setObjectName(QStringLiteral("hourlyButton"));
    m_daily = new QRadioButton(tr("Daily"), this);
    m_daily->setObjectName(QStringLiteral("dailyButton"));
    m_daily->setChecked(true);
    auto *group = new QButtonGroup(this);
    group->addButton(m_hourly);
    group->addButton(m_daily);
    bar->addWidget(m_hourly);
    bar->addWidget(m_daily);
    layout->addLayout(bar);
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    m_plannedSeries = new QLineSeries;
    m_plannedSeries->setName(tr("Planned (even pacing)"));
    QPen dashed(QColor(0x9c, 0xa3, 0xaf), 1.6);
    dashed.setStyle(Qt::DashLine);
    m_plannedSeries->setPen(dashed);
    m_deliveredSeries = new QLineSeries;
    m_deliveredSeries->setName(tr("Delivered spend (cumulative)"));
    m_deliveredSeries->setPen(QPen(QColor(0x2f, 0x6f, 0xd6), 2.2));
    chart->addSeries(m_plannedSeries);
    chart->addSeries(m_deliveredSeries);
    m_xAxis = new QDateTimeAxis;
    m_xAxis->setTickCount(6);
    m_yAxis = new QValueAxis;
    m_yAxis->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(m_xAxis, Qt::AlignBottom);
    chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (QLineSeries *series : {m_plannedSeries, m_deliveredSeries}) {
        series->attachAxis(m_xAxis);
        series->attachAxis(m_yAxis);
    }
    m_view = new QChartView(chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(200);
    layout->addWidget(m_view, 1);
    connect(group, &QButtonGroup::buttonToggled, this, [this](QAbstractButton *, bool checked) {
        if (checked)
            Q_EMIT granularityChanged(granularity());
    });
    setDelivery(nlohmann::json::object(), nlohmann::json::object());
}

void DeliveryChart::setDelivery(const nlohmann::json &buyJson, const nlohmann::json &deliveryJson,
                                quint64 revision)
{
    // A buy's detail is refreshed whenever anything of the buy changed; the chart is drawn again only when
    // its revision did (comparing or copying a month's report by the hour on every refresh was most of it).
    if (revision != 0 && revision == m_shownRevision && granularity() == m_shownGranularity)
        return;
    m_shownRevision = revision;
    m_shownGranularity = granularity();
    // Either may be null (no buy selected, no report yet).
    static const nlohmann::json kNone = nlohmann::json::object();
    const nlohmann::json &buy = buyJson.is_object() ? buyJson : kNone;
    const nlohmann::json &delivery = deliveryJson.is_object() ? deliveryJson : kNone;

    const std::vector<Point> points = deliveredPoints(delivery, m_clock ? m_clock() : QDateTime());
    QList<QPointF> delivered;
    QList<QPointF> planned;
    double cumulative = 0.0;
    double maxValue = 0.0;
    // Delivery starts from nothing at the flight's start: a daily report's first point is the end of its
    // first day, and without this the line began in mid-air where the hourly one begins at zero.
    if (const QDateTime flightStart = jsonDateTime(buy, "start_time");
        flightStart.isValid() && !points.empty() && flightStart < points.front().at)
        delivered.append({double(flightStart.toMSecsSinceEpoch()), 0.0});
    const int origins = static_cast<int>(delivered.size()); // counted apart from the report's points
    for (const Point &point : points) {
        cumulative += point.spend;
        delivered.append({double(point.at.toMSecsSinceEpoch()), cumulative});
        maxValue = std::max(maxValue, cumulative);
    }
    const double budget = buy.contains("total_budget") ? jsonAmount(buy["total_budget"]) : 0.0;
    QDateTime start = jsonDateTime(buy, "start_time");
    const QDateTime end = jsonDateTime(buy, "end_time");
    if (!start.isValid() && !points.empty())
        start = points.front().at;
    if (budget > 0.0 && start.isValid() && end.isValid() && end > start) {
        const double flight = static_cast<double>(start.msecsTo(end));
        // The plan is drawn at the same instants as the delivered points, plus the flight's two ends.
        planned.append({double(start.toMSecsSinceEpoch()), 0.0});
        for (const Point &point : points) {
            const double share = std::clamp(start.msecsTo(point.at) / flight, 0.0, 1.0);
            planned.append({double(point.at.toMSecsSinceEpoch()), budget * share});
        }
        const QDateTime lastShown = points.empty() ? end : std::min(end, points.back().at.addDays(1));
        planned.append({double(lastShown.toMSecsSinceEpoch()),
                        budget * std::clamp(start.msecsTo(lastShown) / flight, 0.0, 1.0)});
        for (const QPointF &p : planned)
            maxValue = std::max(maxValue, p.y());
    }
    m_delivered = static_cast<int>(delivered.size()) - origins;
    m_planned = static_cast<int>(planned.size());
    // The series and axes stay; only their points and ranges change (rebuilding a chart is what costs).
    m_deliveredSeries->replace(delivered);
    m_plannedSeries->replace(planned);
    m_yAxis->setRange(0, maxValue > 0 ? maxValue * 1.1 : 1.0);
    // Round steps (0, 250, 500 …) instead of fractions of the maximum.
    m_yAxis->applyNiceNumbers();
    m_yAxis->setTitleText(jsonString(delivery, "currency").isEmpty() ? jsonString(buy, "currency")
                                                                     : jsonString(delivery, "currency"));
    qint64 minX = std::numeric_limits<qint64>::max();
    qint64 maxX = std::numeric_limits<qint64>::min();
    for (const QList<QPointF> *series : {&planned, &delivered}) {
        for (const QPointF &p : *series) {
            minX = std::min(minX, static_cast<qint64>(p.x()));
            maxX = std::max(maxX, static_cast<qint64>(p.x()));
        }
    }
    if (minX < maxX)
        m_xAxis->setRange(QDateTime::fromMSecsSinceEpoch(minX), QDateTime::fromMSecsSinceEpoch(maxX));
    fitToWidth();

    const nlohmann::json totals = jsonObject(delivery, "totals");
    if (delivery.is_object() && !delivery.empty())
        m_summary->setText(
            tr("%1 impressions · %2 spent · pacing index %3")
                .arg(userLocale().toString(static_cast<qint64>(jsonNumber(totals, "impressions"))),
                     formatMoney(jsonNumber(totals, "spend"), jsonString(delivery, "currency")),
                     QString::number(jsonNumber(delivery, "pacing_index", 0.0), 'f', 2)));
    else
        m_summary->setText(tr("No delivery reported yet"));
}

void DeliveryChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitToWidth();
}

void DeliveryChart::fitToWidth()
{
    const qint64 span = m_xAxis->min().msecsTo(m_xAxis->max());
    // A short range or hourly windows need the time: "Dec 6, Dec 6, Dec 7" told nothing apart.
    const bool withTime = granularity() == QLatin1String("hourly") || span < 3LL * 24 * 3600 * 1000;
    const QString format = withTime ? QStringLiteral("MMM d HH:mm") : QStringLiteral("MMM d");
    if (m_xAxis->format() != format)
        m_xAxis->setFormat(format);
    const QFontMetrics metrics(m_xAxis->labelsFont());
    const int label = metrics.horizontalAdvance(QLocale().toString(m_xAxis->max(), format)) + 16;
    const int room = std::max(0, m_view->width() - 90); // less the value axis and the margins
    const int ticks = std::clamp(room / std::max(label, 1) + 1, 2, 6);
    if (m_xAxis->tickCount() != ticks)
        m_xAxis->setTickCount(ticks);
    const int rows = std::clamp(m_view->height() / 45, 3, 8);
    if (m_yAxis->tickCount() != rows) {
        m_yAxis->setTickCount(rows);
        m_yAxis->applyNiceNumbers();
    }
    // The legend's two entries take ~360 px in full; in the narrow pane beside the console they would be cut.
    const bool narrow = m_view->width() < 420;
    m_plannedSeries->setName(narrow ? tr("Planned") : tr("Planned (even pacing)"));
    m_deliveredSeries->setName(narrow ? tr("Delivered") : tr("Delivered spend (cumulative)"));
}

void DeliveryChart::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
}

QString DeliveryChart::granularity() const
{
    return m_hourly->isChecked() ? QStringLiteral("hourly") : QStringLiteral("daily");
}

void DeliveryChart::setGranularity(const QString &granularity)
{
    (granularity == QLatin1String("hourly") ? m_hourly : m_daily)->setChecked(true);
}

int DeliveryChart::deliveredPointCount() const
{
    return m_delivered;
}

int DeliveryChart::plannedPointCount() const
{
    return m_planned;
}

QChart *DeliveryChart::chart() const
{
    return m_view->chart();
}

} // namespace adcp::gui
