#pragma once

// How large the window's text is, in steps from 80% to 250%, for a projector at the back of
// a room; remembered in the settings given. The window's font carries the zoom to its
// children; a widget that sets a font of its own (a fixed-width one, a chart's) scales it by
// factorOf(itself) when its font changes.

#include <QObject>

#include <array>

class QFont;
class QSettings;
class QTableView;
class QWidget;

class ViewZoom final : public QObject
{
    Q_OBJECT

public:
    // Percent of the normal size: fine steps near it, coarse ones where a projector needs them.
    static constexpr std::array<int, 10> Steps = {80, 90, 100, 110, 125, 150, 175, 200, 225, 250};
    static constexpr int Normal = 100;

    // Starts at the step saved in the store, or at the normal size.
    explicit ViewZoom(QSettings *store, QObject *parent = nullptr);

    int percent() const { return Steps[m_step]; }
    bool canZoomIn() const { return m_step + 1 < int(Steps.size()); }
    bool canZoomOut() const { return m_step > 0; }
    void zoomIn();
    void zoomOut();
    void reset();

    // The font at factor times its size, in points or pixels, whichever it is given in.
    static QFont scaled(const QFont &font, qreal factor);
    // How much larger the widget's font is than the application's: the zoom it is shown at.
    static qreal factorOf(const QWidget *widget);
    // The system's fixed-width font at the widget's zoom.
    static QFont fixedFont(const QWidget *widget);
    // Rows as high as the table's font needs; they are fixed, so that a million rows need not
    // be measured one by one, and must follow the font by hand.
    static void fitRowHeight(QTableView *view);

Q_SIGNALS:
    void changed(int percent);

private:
    void setStep(int step);

    QSettings *m_store;
    int m_step;
};
