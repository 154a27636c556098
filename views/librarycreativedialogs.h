#pragma once

#include <QDialog>

#include <nlohmann/json.hpp>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace adcp::gui {

// A creative for the library, assigned to nothing yet: a name, a format the seller's products ask for, and
// the URL of its hosted asset. Produces one sync_creatives creative.
class NewCreativeDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewCreativeDialog)
public:
    // `formats`: the format ids to offer (the products this session knows ask for them).
    explicit NewCreativeDialog(const nlohmann::json &formats, QWidget *parent = nullptr);

    nlohmann::json creative() const;
    QLineEdit *nameEdit() const;
    QComboBox *formatCombo() const;
    QLineEdit *urlEdit() const;
    QPushButton *okButton() const;
    // What stops OK, in words (empty when nothing does).
    QString problem() const;

private:
    void updateState();

    nlohmann::json m_formats;
    mutable QString m_creativeId; // made from the name when the creative is first read
    QLineEdit *m_name = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_url = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_ok = nullptr;
};

// Assigns a library creative to packages of the buys in the session: each buy that is not over, its packages
// by product name; a package whose product does not take the creative's format cannot be ticked, nor one it
// is already assigned to. Produces sync_creatives assignment_operations.
class AssignCreativeDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AssignCreativeDialog)
public:
    struct Buy
    {
        nlohmann::json json; // the get_media_buys entry
        QString title;       // as the window names it
        QString status;      // its media_buy_status (BuyModel::status)
    };
    // `formatsOf` gives the format ids a product takes (empty when the session does not know the product).
    AssignCreativeDialog(const nlohmann::json &creative, const std::vector<Buy> &buys,
                         const std::function<nlohmann::json(const QString &productId)> &formatsOf,
                         const std::function<QString(const QString &productId)> &productName,
                         QWidget *parent = nullptr);

    nlohmann::json operations() const;
    QTreeWidget *tree() const;
    QPushButton *okButton() const;
    // Packages that can be ticked.
    int assignableCount() const;

private:
    void updateState();

    std::string m_creativeId;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_note = nullptr;
    QPushButton *m_ok = nullptr;
    int m_assignable = 0;
};

} // namespace adcp::gui
