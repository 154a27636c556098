#include "declinedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace adcp::gui {

namespace {
constexpr int kMaxDetail = 500;
}

const QStringList &DeclineDialog::reasons()
{
    static const QStringList list{QStringLiteral("price"),
                                  QStringLiteral("inventory_fit"),
                                  QStringLiteral("audience_fit"),
                                  QStringLiteral("creative_unsupported"),
                                  QStringLiteral("measurement_unsupported"),
                                  QStringLiteral("policy"),
                                  QStringLiteral("timing"),
                                  QStringLiteral("budget_changed"),
                                  QStringLiteral("selected_alternative"),
                                  QStringLiteral("other")};
    return list;
}

DeclineDialog::DeclineDialog(const QString &proposalId, const QString &proposalVersion, const QString &name,
                             QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("declineDialog"));
    setWindowTitle(tr("Decline proposal"));
    auto *layout = new QVBoxLayout(this);
    auto *what =
        new QLabel(tr("Declining <b>%1</b> (%2), version <b>%3</b>.")
                       .arg(name.toHtmlEscaped(), proposalId.toHtmlEscaped(),
                            proposalVersion.isEmpty() ? tr("unversioned") : proposalVersion.toHtmlEscaped()),
                   this);
    what->setObjectName(QStringLiteral("declineWhat"));
    what->setWordWrap(true);
    layout->addWidget(what);
    auto *form = new QFormLayout;
    m_reason = new QComboBox(this);
    m_reason->setObjectName(QStringLiteral("declineReason"));
    m_reason->addItems(reasons());
    form->addRow(tr("Reason"), m_reason);
    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(QStringLiteral("declineDetail"));
    m_detail->setPlaceholderText(
        tr("Optional; required for \"other\". No competitor names, prices or confidential terms."));
    m_detail->setMaximumHeight(90);
    form->addRow(tr("Detail"), m_detail);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #b45309;"));
    layout->addWidget(m_problem);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Decline"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QComboBox::currentIndexChanged, this, &DeclineDialog::validate);
    connect(m_detail, &QPlainTextEdit::textChanged, this, &DeclineDialog::validate);
    validate();
}

QString DeclineDialog::reason() const
{
    return m_reason->currentText();
}

QString DeclineDialog::detail() const
{
    return m_detail->toPlainText().trimmed();
}

void DeclineDialog::setReason(const QString &reason)
{
    m_reason->setCurrentText(reason);
}

void DeclineDialog::setDetail(const QString &detail)
{
    m_detail->setPlainText(detail);
}

QString DeclineDialog::problem() const
{
    if (reason() == QLatin1String("other") && detail().isEmpty())
        return tr("Say why in the detail when the reason is \"other\".");
    if (detail().size() > kMaxDetail)
        return tr("The detail is %1 characters; at most %2 are allowed.")
            .arg(detail().size())
            .arg(kMaxDetail);
    return {};
}

bool DeclineDialog::canAccept() const
{
    return problem().isEmpty();
}

void DeclineDialog::validate()
{
    m_problem->setText(problem());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept());
}

} // namespace adcp::gui
