#include "closeopportunitydialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace adcp::gui {

const QStringList &CloseOpportunityDialog::reasons()
{
    // accepted_with_seller is set by create_media_buy itself; the buyer closes for the other reasons.
    static const QStringList list{
        QStringLiteral("purchased_elsewhere"), QStringLiteral("selected_alternative"),
        QStringLiteral("not_pursued"),         QStringLiteral("budget_changed"),
        QStringLiteral("timing_changed"),      QStringLiteral("other")};
    return list;
}

CloseOpportunityDialog::CloseOpportunityDialog(const QString &title, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("closeOpportunityDialog"));
    setWindowTitle(tr("Close opportunity"));
    auto *layout = new QVBoxLayout(this);
    auto *what = new QLabel(tr("Close <b>%1</b> with this seller.").arg(title.toHtmlEscaped()), this);
    layout->addWidget(what);
    auto *form = new QFormLayout;
    m_reason = new QComboBox(this);
    m_reason->setObjectName(QStringLiteral("closeReason"));
    m_reason->addItems(reasons());
    form->addRow(tr("Reason"), m_reason);
    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(QStringLiteral("closeDetail"));
    m_detail->setMaximumHeight(80);
    m_detail->setPlaceholderText(tr("Short and non-identifying; required for \"other\"."));
    form->addRow(tr("Detail"), m_detail);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #b45309;"));
    layout->addWidget(m_problem);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Close opportunity"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QComboBox::currentIndexChanged, this, &CloseOpportunityDialog::validate);
    connect(m_detail, &QPlainTextEdit::textChanged, this, &CloseOpportunityDialog::validate);
    validate();
}

QString CloseOpportunityDialog::reason() const
{
    return m_reason->currentText();
}

QString CloseOpportunityDialog::detail() const
{
    return m_detail->toPlainText().trimmed();
}

void CloseOpportunityDialog::setReason(const QString &reason)
{
    m_reason->setCurrentText(reason);
}

void CloseOpportunityDialog::setDetail(const QString &detail)
{
    m_detail->setPlainText(detail);
}

bool CloseOpportunityDialog::canAccept() const
{
    return !(reason() == QLatin1String("other") && detail().isEmpty()) && detail().size() <= 500;
}

void CloseOpportunityDialog::validate()
{
    m_problem->setText(canAccept() ? QString()
                                   : tr("A detail (at most 500 characters) is required for \"other\"."));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept());
}

} // namespace adcp::gui
