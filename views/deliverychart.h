#pragma once

#include <QDateTime>
#include <QWidget>

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

class QButtonGroup;
class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;
class QLabel;
class QRadioButton;

namespace adcp::gui {

// Delivery of one buy: cumulative spend delivered per window against the even pacing plan over the flight.
// Hourly or daily, as get_media_buy_delivery reports it.
class DeliveryChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryChart)
public:
    explicit DeliveryChart(QWidget *parent = nullptr);

    // `delivery` is one entry of media_buy_deliveries; `buy` gives budget and flight for the plan. `revision`
    // names this state of buy and report (BuyModel::revision): the same revision again at the same
    // granularity draws nothing; 0 (not known) always draws.
    void setDelivery(const nlohmann::json &buy, const nlohmann::json &delivery, quint64 revision = 0);
    QString granularity() const; // hourly | daily
    void setGranularity(const QString &granularity);
    // The clock delivery is measured against (the seller clock for the embedded seller): nothing is drawn as
    // delivered after it.
    void setClock(std::function<QDateTime()> clock);
    int deliveredPointCount() const;
    int plannedPointCount() const;
    QChart *chart() const;

Q_SIGNALS:
    void granularityChanged(const QString &granularity);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // Fits the axes and the legend to the chart's width: as many date ticks as their labels have room for,
    // times on them when the range is short, shorter series names in a narrow pane.
    void fitToWidth();

    QChartView *m_view = nullptr;
    QLineSeries *m_plannedSeries = nullptr;
    QLineSeries *m_deliveredSeries = nullptr;
    QDateTimeAxis *m_xAxis = nullptr;
    QValueAxis *m_yAxis = nullptr;
    QRadioButton *m_hourly = nullptr;
    QRadioButton *m_daily = nullptr;
    QLabel *m_summary = nullptr;
    int m_delivered = 0;
    int m_planned = 0;
    // What the chart shows now: redrawing a chart is costly, an unchanged buy is not redrawn.
    // What is drawn now (setDelivery returns at once when asked to draw the same again).
    quint64 m_shownRevision = 0;
    QString m_shownGranularity;
    std::function<QDateTime()> m_clock;
};

} // namespace adcp::gui
