import * as vscode from 'vscode';

/**
 * Quick picks and input boxes, created through one place so they can be answered the way a person would
 * (the extension's API reports each one as it is shown; the tests answer them and press Enter).
 */
export class Prompts implements vscode.Disposable {
  private readonly shownEmitter = new vscode.EventEmitter<{ step: string; input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox }>();
  readonly onDidShow = this.shownEmitter.event;

  pick<T extends vscode.QuickPickItem>(
    step: string,
    items: T[],
    options: { title: string; placeholder?: string; activeIndex?: number },
  ): Promise<T | undefined> {
    const quickPick = vscode.window.createQuickPick<T>();
    quickPick.title = options.title;
    quickPick.placeholder = options.placeholder;
    quickPick.items = items;
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    if (options.activeIndex !== undefined && items[options.activeIndex]) quickPick.activeItems = [items[options.activeIndex]];
    return new Promise((resolve) => {
      let result: T | undefined;
      quickPick.onDidAccept(() => {
        result = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
        quickPick.hide();
      });
      quickPick.onDidHide(() => {
        quickPick.dispose();
        resolve(result);
      });
      quickPick.show();
      this.shownEmitter.fire({ step, input: quickPick as unknown as vscode.QuickPick<vscode.QuickPickItem> });
    });
  }

  input(
    step: string,
    options: { title: string; prompt: string; value?: string; placeholder?: string; validate?: (value: string) => string | undefined },
  ): Promise<string | undefined> {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.prompt = options.prompt;
    box.value = options.value ?? '';
    box.placeholder = options.placeholder;
    return new Promise((resolve) => {
      let result: string | undefined;
      box.onDidChangeValue((value) => (box.validationMessage = options.validate?.(value)));
      box.onDidAccept(() => {
        const problem = options.validate?.(box.value);
        if (problem) {
          box.validationMessage = problem;
          return;
        }
        result = box.value;
        box.hide();
      });
      box.onDidHide(() => {
        box.dispose();
        resolve(result);
      });
      box.show();
      this.shownEmitter.fire({ step, input: box });
    });
  }

  dispose(): void {
    this.shownEmitter.dispose();
  }
}
